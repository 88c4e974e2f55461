-- Change of an official score between any base year and any later year, for analysts who choose their own base (mart_province_scores carries the default base, 2018): one row per province, indicator, base year and later year where both scores are held, with the methodology breaks of the indicator that lie in between. The change is NULL, and comparable false, when a break lies in (base_year, year]: such a change mixes two methods. Grain: (province_key, indicator_code, base_year, year).
WITH m AS (
    SELECT province_key, province_name, unit_2025_key, indicator_code, family, level, year, score, comparable_since
    FROM mart_province_scores WHERE score IS NOT NULL
),
brk AS (SELECT DISTINCT indicator_code, year FROM ref_methodology_break)
SELECT
    y.province_key,
    y.province_name,
    y.unit_2025_key,
    y.indicator_code,
    y.family,
    y.level,
    CAST(b.year AS INTEGER) AS base_year,
    y.year,
    b.score AS base_score,
    y.score,
    y.comparable_since <= b.year AS comparable,
    CASE WHEN y.comparable_since <= b.year THEN round(y.score - b.score, 9) END AS change,
    (SELECT list(CAST(k.year AS BIGINT) ORDER BY k.year) FROM brk AS k
     WHERE k.indicator_code = y.indicator_code AND k.year > b.year AND k.year <= y.year) AS breaks_between
FROM m AS y
JOIN m AS b ON b.province_key = y.province_key AND b.indicator_code = y.indicator_code AND b.year < y.year
