{#- round(expression, digits) as double precision on every adapter (PostgreSQL only rounds numeric;
    dbt.type_float() is a 32-bit float on DuckDB, hence the explicit type). -#}
{% macro round_to(expression, digits) -%}
    {{ return(adapter.dispatch('round_to', 'yuebao')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}

{% macro duckdb__round_to(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}
