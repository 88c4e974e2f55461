-- Official index scores for cross-province comparison: one row per province, year and indicator (the preferred official source), with the 2025 unit the province became, the national mean (from a complete official table or the published national figure, never from partial press figures; national_mean_source says which) and how many provinces it covers, whether the year is comparable with the previous one (ref_methodology_break), the change since the previous year (NULL across a methodology break), the first year of the row's comparable period, and the change since the base year 2018 (NULL when a methodology break lies between; other base years: mart_score_change). Grain: (province_key, year, indicator_code).
WITH s AS (
    SELECT * FROM fct_indicator_score WHERE is_preferred AND source <> 'plan_text'
),
grp AS (
    -- a (year, indicator) is a complete official table when none of its rows comes from a partial source;
    -- an exact DECIMAL sum, then one division: a double sum in parallel adds in any order and moved the last digit
    -- (even through round(): 2.0097210765 fell either side)
    SELECT year, indicator_code, bool_and(NOT is_partial) AS complete,
           round(avg(CAST(score AS DECIMAL(38, 12))), 9) AS mean_all, count(score) AS n_scored
    FROM s GROUP BY ALL
),
published AS (
    SELECT year, 'PAR.TOTAL' AS indicator_code, max(score) AS national_figure,
           CAST(max(regexp_extract(unit_as_written, '(\d+)$')) AS BIGINT) AS n_covered
    FROM stg_par_published WHERE unit_as_written LIKE 'NATIONAL_MEAN_%' AND score IS NOT NULL GROUP BY ALL
),
nat AS (
    SELECT g.year, g.indicator_code,
        CAST(CASE WHEN g.complete THEN g.mean_all ELSE pub.national_figure END AS DOUBLE) AS national_mean,
        CASE WHEN g.complete THEN g.n_scored WHEN pub.national_figure IS NOT NULL THEN pub.n_covered ELSE 0 END AS n_provinces,
        CASE WHEN g.complete THEN 'mean_of_complete_official_table'
             WHEN pub.national_figure IS NOT NULL THEN 'published_national_figure' END AS national_mean_source
    FROM grp AS g LEFT JOIN published AS pub ON pub.year = g.year AND pub.indicator_code = g.indicator_code
),
brk AS (SELECT DISTINCT indicator_code, year FROM ref_methodology_break),
-- the comparable period a (indicator, year) belongs to starts at the latest methodology break up to that year, or at
-- the first year the indicator is held
period AS (
    SELECT iy.indicator_code, iy.year,
           CAST(coalesce(max(b.year), min(iy.year) OVER (PARTITION BY iy.indicator_code)) AS INTEGER) AS comparable_since
    FROM (SELECT DISTINCT indicator_code, year FROM s) AS iy
    LEFT JOIN brk AS b ON b.indicator_code = iy.indicator_code AND b.year <= iy.year
    GROUP BY iy.indicator_code, iy.year
),
-- the default base year of change_since_base_year: 2018, the first year of the 8-dimension PAPI (the scale and
-- dimensions every plan since then targets); any other base: mart_score_change
cfg AS (SELECT CAST(2018 AS INTEGER) AS base_year)  -- pipelines/quality/contracts.py BASE_YEAR
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
    nat.national_mean,
    nat.n_provinces,
    nat.national_mean_source,
    brk.year IS NULL AS comparable_with_previous,
    -- the previous calendar year only (a year the index skipped gives NULL, never a change over two years)
    CASE WHEN brk.year IS NULL THEN round(s.score - prev.score, 9) END AS change_since_previous_year,
    per.comparable_since,
    cfg.base_year,
    s.year > cfg.base_year AND per.comparable_since <= cfg.base_year AS comparable_with_base_year,
    CASE WHEN s.year > cfg.base_year AND per.comparable_since <= cfg.base_year THEN round(s.score - base.score, 9)
    END AS change_since_base_year,
    s.source,
    s.source_ref,
    s.is_partial
FROM s
JOIN dim_province AS p ON p.province_key = s.province_key
LEFT JOIN dim_province AS p2 ON p2.province_key = p.successor_key
-- Hà Tây's successor is Hà Nội (2004-01), whose successor is the 2025 unit
LEFT JOIN dim_province AS u ON u.province_key = CASE WHEN p.successor_key LIKE '2004-%' THEN p2.successor_key ELSE p.successor_key END
JOIN dim_indicator AS i ON i.indicator_code = s.indicator_code
JOIN nat ON nat.year = s.year AND nat.indicator_code = s.indicator_code
LEFT JOIN brk ON brk.indicator_code = s.indicator_code AND brk.year = s.year
JOIN period AS per ON per.indicator_code = s.indicator_code AND per.year = s.year
CROSS JOIN cfg
LEFT JOIN s AS prev ON prev.province_key = s.province_key AND prev.indicator_code = s.indicator_code AND prev.year = s.year - 1
LEFT JOIN s AS base ON base.province_key = s.province_key AND base.indicator_code = s.indicator_code AND base.year = cfg.base_year
