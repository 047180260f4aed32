{#- The order in which vintages of one indicator × region × period win: the latest report month,
    then the latest received file, then the last row of that file. -#}
{% macro vintage_order(relation) -%}
    {{ relation }}.report_month desc, {{ relation }}.received_at desc,
    {{ relation }}.source_file desc, {{ relation }}.source_row desc
{%- endmacro %}
