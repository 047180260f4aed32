{#- Whole months from `start_date` to `end_date` (both first days of months). -#}
{% macro months_between(start_date, end_date) -%}
    ((extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
     + extract(month from {{ end_date }}) - extract(month from {{ start_date }}))
{%- endmacro %}
