-- Official index scores for cross-province comparison: one row per province, year and indicator (the preferred official source), with the 2025 unit the province became, the national mean and how many provinces it covers, and the change since the previous year. Grain: (province_key, year, indicator_code).
SELECT
    s.province_key,
    p.name_vi AS province_name,
    u.province_key AS unit_2025_key,
    u.name_vi AS unit_2025_name,
    p.region,
    s.year,
    s.indicator_code,
    i.family,
    i.level,
    i.name_en AS indicator_name_en,
    s.score,
    s.rank,
    s.n_ranked,
    -- an exact DECIMAL sum, then one division: a double sum in parallel adds in any order and moved the last digit
    -- (even through round(): 2.0097210765 fell either side)
    round(avg(CAST(s.score AS DECIMAL(38, 12))) OVER (PARTITION BY s.year, s.indicator_code), 9) AS national_mean,
    count(s.score) OVER (PARTITION BY s.year, s.indicator_code) AS n_provinces,
    CASE WHEN NOT (s.indicator_code = 'PAPI.TOTAL' AND s.year = 2018) THEN
        round(s.score - lag(s.score) OVER (PARTITION BY s.province_key, s.indicator_code ORDER BY s.year), 9)
    END AS change_since_previous_year,
    s.source,
    s.source_ref,
    s.is_partial
FROM fct_indicator_score AS s
JOIN dim_province AS p ON p.province_key = s.province_key
LEFT JOIN dim_province AS p2 ON p2.province_key = p.successor_key
-- Hà Tây's successor is Hà Nội (2004-01), whose successor is the 2025 unit
LEFT JOIN dim_province AS u ON u.province_key = CASE WHEN p.successor_key LIKE '2004-%' THEN p2.successor_key ELSE p.successor_key END
JOIN dim_indicator AS i ON i.indicator_code = s.indicator_code
WHERE s.is_preferred AND s.source <> 'plan_text'
