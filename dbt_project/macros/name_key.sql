{#- The form in which names are matched: no spaces, lower case (full-width forms are folded at ingest). -#}
{% macro name_key(column) -%}
    lower(replace(trim({{ column }}), ' ', ''))
{%- endmacro %}
