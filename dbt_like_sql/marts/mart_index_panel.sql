-- Cross-index panel: one row per province and year with the PAPI total and dimensions, the PCI headline (weighted; unweighted where printed) and sub-indices, the PAR Index and SIPAS where a value is held, and coverage flags. Values are the preferred official rows of fct_indicator_score (the PAPI workbook over the panel, the VCCI workbook over the Wikipedia table, a full PAR table over press figures); PAR and SIPAS press figures are partial. Missing stays NULL. Grain: (province_key, year).
WITH s AS (
    SELECT province_key, year, indicator_code, score, is_partial
    FROM fct_indicator_score
    WHERE is_preferred AND source <> 'plan_text'
)
SELECT
    s.province_key,
    p.name_vi AS province_name,
    s.year,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.TOTAL') AS papi_total,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D1') AS papi_d1,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D2') AS papi_d2,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D3') AS papi_d3,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D4') AS papi_d4,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D5') AS papi_d5,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D6') AS papi_d6,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D7') AS papi_d7,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAPI.D8') AS papi_d8,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.TOTAL') AS pci_total,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.TOTAL_UNWEIGHTED') AS pci_total_unweighted,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.ENTRY_COSTS') AS pci_entry_costs,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.LAND_ACCESS') AS pci_land_access,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.TRANSPARENCY') AS pci_transparency,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.TIME_COSTS') AS pci_time_costs,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.INFORMAL_CHARGES') AS pci_informal_charges,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.POLICY_BIAS') AS pci_policy_bias,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.PROACTIVITY') AS pci_proactivity,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.BUSINESS_SUPPORT') AS pci_business_support,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.LABOR_TRAINING') AS pci_labor_training,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.LEGAL_INSTITUTIONS') AS pci_legal_institutions,
    max(s.score) FILTER (WHERE s.indicator_code = 'PCI.POLICY_CONSISTENCY') AS pci_policy_consistency,
    max(s.score) FILTER (WHERE s.indicator_code = 'PAR.TOTAL') AS par_index,
    coalesce(bool_and(s.is_partial) FILTER (WHERE s.indicator_code = 'PAR.TOTAL'), false) AS par_is_partial,
    max(s.score) FILTER (WHERE s.indicator_code = 'SIPAS.TOTAL') AS sipas,
    coalesce(bool_and(s.is_partial) FILTER (WHERE s.indicator_code = 'SIPAS.TOTAL'), false) AS sipas_is_partial,
    count(s.score) FILTER (WHERE s.indicator_code = 'PAPI.TOTAL') > 0 AS has_papi,
    count(s.score) FILTER (WHERE s.indicator_code = 'PCI.TOTAL') > 0 AS has_pci,
    count(s.score) FILTER (WHERE s.indicator_code = 'PAR.TOTAL') > 0 AS has_par,
    count(s.score) FILTER (WHERE s.indicator_code = 'SIPAS.TOTAL') > 0 AS has_sipas,
    CAST((count(s.score) FILTER (WHERE s.indicator_code = 'PAPI.TOTAL') > 0)::INTEGER
       + (count(s.score) FILTER (WHERE s.indicator_code = 'PCI.TOTAL') > 0)::INTEGER
       + (count(s.score) FILTER (WHERE s.indicator_code = 'PAR.TOTAL') > 0)::INTEGER
       + (count(s.score) FILTER (WHERE s.indicator_code = 'SIPAS.TOTAL') > 0)::INTEGER AS INTEGER) AS n_indices
FROM s
JOIN dim_province AS p ON p.province_key = s.province_key
GROUP BY s.province_key, p.name_vi, s.year
