{#- The data tests of an incremental fact table check the rows this build wrote, not the whole
    history again each month (on a province's ten years, the tests of fct_indicator_monthly alone
    grew to seconds a month). A test's `where` names them with two placeholders, filled in here
    when the test runs — dbt renders `where` while parsing, before the month is known, and this
    macro is its documented hook for custom logic (docs: resource-configs/where):
    - `__report_month__`: the month this build loads, as a date;
    - `__affected_periods__`: int_affected_periods, the indicator × periods a month's build rewrites.
    A full refresh rewrites every row, so its tests read the whole table. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__report_month__' in where and flags.FULL_REFRESH -%}
        {%- set where = none -%}
    {%- elif where -%}
        {%- set where = where
            | replace('__report_month__', "cast('" ~ loaded_report_month() ~ "' as date)")
            | replace('__affected_periods__', affected_periods_relation() | string) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- int_affected_periods as a relation, for a test that does not ref() it (a test's `where` cannot). -#}
{% macro affected_periods_relation() -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_affected_periods'] -%}
    {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}
