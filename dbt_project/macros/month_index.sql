{#- Months since year 0 (year × 12 + month): an integer to order periods by, so window frames
    `range between 1 preceding …` reach exactly the previous calendar month, gaps included. -#}
{% macro month_index(period) -%}
    cast(extract(year from {{ period }}) * 12 + extract(month from {{ period }}) as integer)
{%- endmacro %}
