/* grain: one row per spelling of a unit (unit_key) × unit of the catalog (to_unit): the factor that
   takes a number written in the spelling's unit to to_unit, when both measure the same dimension
   (is_convertible). The one place a value changes unit: observations are converted to their
   indicator's canonical unit (int_observations_resolved_to_catalog) and published values back to
   the unit a narrative figure is written in (int_narrative_figures_compared) through it. */
with unit_names as (

    select * from {{ ref('int_unit_names_unioned') }}

),

units as (

    select * from {{ ref('stg_reference__units') }}

),

final as (

    select
        unit_names.unit_key,
        unit_names.unit as from_unit,
        to_units.unit as to_unit,
        from_units.dimension = to_units.dimension as is_convertible,
        from_units.factor / to_units.factor as factor
    from unit_names
    inner join units as from_units
        on unit_names.unit = from_units.unit
    cross join units as to_units

)

select * from final
