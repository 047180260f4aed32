{#- 序时进度: the share of the year elapsed at the end of the period's month, in % (month / 12 × 100). -#}
{% macro schedule_pct(period) -%}
    {{ round_to('cast(extract(month from ' ~ period ~ ') as double precision) * 100 / 12', 2) }}
{%- endmacro %}
