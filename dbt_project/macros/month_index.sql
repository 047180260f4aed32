{#- Months since year 0 (year × 12 + month): an integer to order periods by, in which the
    previous calendar month is always month_index − 1, gaps included. -#}
{% macro month_index(period) -%}
    cast(extract(year from {{ period }}) * 12 + extract(month from {{ period }}) as integer)
{%- endmacro %}
