{#-
    delete+insert on DuckDB, deleting through the distinct keys of the new rows.

    dbt-duckdb 1.11 joins the target to every new row that shares a key (`delete … using <new rows>`):
    with unique_key ['report_month'], re-running a month matches each of its old rows with each new
    one — 40,800² pairs for a province month (14 s), 2.9M² for a country month (never ends). A new
    month, having no old rows, never showed it. Same statement otherwise; PostgreSQL keeps dbt's
    default, which already deletes `where (keys) in (select distinct keys …)`.
-#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
    {% if keys %}
        delete from {{ target }} as DBT_INCREMENTAL_TARGET
        using (select distinct {{ keys | join(', ') }} from {{ source }}) as DBT_INCREMENTAL_KEYS
        where (
            {%- for key in keys %}
            DBT_INCREMENTAL_KEYS.{{ key }} = DBT_INCREMENTAL_TARGET.{{ key }}{{ " and" if not loop.last }}
            {%- endfor %}
            {%- for predicate in incremental_predicates or [] %}
            and {{ predicate }}
            {%- endfor %}
        );
    {% endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}
