{#- One row per element of a `|`-separated list column: `cross join {{ split_to_rows('aliases') }} as alias(name)` -#}
{% macro split_to_rows(column) -%}
    {{ return(adapter.dispatch('split_to_rows', 'yuebao')(column)) }}
{%- endmacro %}

{% macro default__split_to_rows(column) -%}
    unnest(string_to_array({{ column }}, '|'))
{%- endmacro %}

{% macro duckdb__split_to_rows(column) -%}
    unnest(string_split({{ column }}, '|'))
{%- endmacro %}
