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

{#- The relative change (numerator / denominator - 1) × 100, rounded half away from zero to
    `digits` decimals on the exact quotient, as a statistics office rounds it: 3.26 against 3.20 is
    +1.875% → 1.88 (binary floating point gives 1.87). The inputs are read to 10 decimals (the
    precision values are stored with). NULL when the denominator is 0 or NULL. -#}
{% macro percent_change(numerator, denominator, digits) -%}
    {{ return(adapter.dispatch('percent_change', 'yuebao')(numerator, denominator, digits)) }}
{%- endmacro %}

{% macro default__percent_change(numerator, denominator, digits) -%}
    cast(round(
        (cast({{ numerator }} as numeric) - cast({{ denominator }} as numeric)) * 100
            / nullif(cast({{ denominator }} as numeric), 0),
        {{ digits }}
    ) as double precision)
{%- endmacro %}

{#- DuckDB divides DECIMALs in double precision, so the quotient is taken on scaled integers:
    half-up is (2 × |n| + |d|) // (2 × |d|) with the sign of n × d. -#}
{% macro duckdb__percent_change(numerator, denominator, digits) -%}
    {%- set scaled_numerator -%}
        (cast(cast({{ numerator }} as decimal(38, 10)) * 10000000000 as hugeint)
            - cast(cast({{ denominator }} as decimal(38, 10)) * 10000000000 as hugeint))
            * {{ 100 * 10 ** digits }}
    {%- endset -%}
    {%- set scaled_denominator -%}
        cast(cast({{ denominator }} as decimal(38, 10)) * 10000000000 as hugeint)
    {%- endset -%}
    cast(
        sign({{ scaled_numerator }}) * sign(nullif({{ scaled_denominator }}, 0))
        * ((2 * abs({{ scaled_numerator }}) + abs({{ scaled_denominator }}))
            // (2 * abs({{ scaled_denominator }})))
        as double
    ) / {{ 10 ** digits }}
{%- endmacro %}
