{#- Custom schemas are used as named (staging, intermediate, reference); marts go to the
    target schema (main on DuckDB, marts on PostgreSQL). var('schema_prefix') isolates a
    throwaway build (tests) from the named schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ var('schema_prefix', '') }}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
