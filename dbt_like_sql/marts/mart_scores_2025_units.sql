-- Official scores for the 34 provincial units of 2025 (Resolution 202/2025/QH15): per unit, year and indicator, the unweighted mean of its member provinces' scores (the 63 provinces the indices reported, and Hà Tây for the years it existed), with how many members are in the unit and how many have a score, and which are missing: a member without a score is never skipped silently (all_members_covered is false and members_missing names it). Beside it, the mean weighted by GSO's average population (stg_ref_population, PX-Web table V02.01, read from its source file) of the score year or, when GSO has not published that year, the latest year held before it (population_year says which); the weighted mean covers the members with both a score and a population (members_weighted), and is NULL when none has both (no population before 2011, or no population table given). Grain: (unit_2025_key, year, indicator_code).
WITH mem AS (
    -- every 2004-vintage province with the 2025 unit its territory is in (Hà Tây through Hà Nội)
    SELECT CASE WHEN p.successor_key LIKE '2004-%' THEN p2.successor_key ELSE p.successor_key END AS unit_key,
           p.province_key, p.name_vi, p.valid_to
    FROM dim_province AS p
    LEFT JOIN dim_province AS p2 ON p2.province_key = p.successor_key
    WHERE p.vintage = 2004
),
iy AS (SELECT DISTINCT year, indicator_code, family, level, indicator_name_en FROM mart_province_scores),
grid AS (
    -- each unit's members in each (year, indicator) the indices published: a member counts in a year it existed
    SELECT u.province_key AS unit_key, u.name_vi AS unit_name, iy.*, mem.province_key AS member_key,
           mem.name_vi AS member_name
    FROM dim_province AS u
    JOIN mem ON mem.unit_key = u.province_key
    CROSS JOIN iy
    WHERE u.vintage = 2025 AND (mem.valid_to IS NULL OR year(mem.valid_to) >= iy.year)
),
pop_year AS (
    -- per member and score year: GSO's population of that year, or of the latest year held before it
    SELECT g.unit_key, g.year, g.indicator_code, g.member_key, max(p.year) AS population_year
    FROM grid AS g
    JOIN stg_ref_population AS p ON p.province_key = g.member_key AND p.year <= g.year
    GROUP BY ALL
),
weights AS (
    SELECT y.unit_key, y.year, y.indicator_code, y.member_key, y.population_year, p.population_thousand
    FROM pop_year AS y
    JOIN stg_ref_population AS p ON p.province_key = y.member_key AND p.year = y.population_year
)
SELECT
    g.unit_key AS unit_2025_key,
    g.unit_name AS unit_2025_name,
    g.year,
    g.indicator_code,
    g.family,
    g.level,
    g.indicator_name_en,
    -- an exact DECIMAL mean, as for the national mean: the same digits every build
    CAST(round(avg(CAST(s.score AS DECIMAL(38, 12))), 9) AS DOUBLE) AS score_unweighted,
    -- exact DECIMAL arithmetic again: sum(score x population) / sum(population) over members with both
    CAST(round(
        sum(CAST(s.score AS DECIMAL(38, 12)) * CAST(w.population_thousand AS DECIMAL(38, 6)))
            FILTER (WHERE s.score IS NOT NULL AND w.population_thousand IS NOT NULL)
        / sum(CAST(w.population_thousand AS DECIMAL(38, 6)))
            FILTER (WHERE s.score IS NOT NULL AND w.population_thousand IS NOT NULL),
        9) AS DOUBLE) AS score_pop_weighted,
    CAST(max(w.population_year) FILTER (WHERE s.score IS NOT NULL AND w.population_thousand IS NOT NULL) AS BIGINT)
        AS population_year,
    count(*) FILTER (WHERE s.score IS NOT NULL AND w.population_thousand IS NOT NULL) AS members_weighted,
    count(*) AS members_total,
    count(s.score) AS members_covered,
    count(s.score) = count(*) AS all_members_covered,
    list(g.member_key ORDER BY g.member_key) AS member_keys,
    list(g.member_name ORDER BY g.member_key) FILTER (WHERE s.score IS NULL) AS members_missing,
    coalesce(bool_or(s.is_partial), false) AS is_partial
FROM grid AS g
LEFT JOIN mart_province_scores AS s
    ON s.province_key = g.member_key AND s.year = g.year AND s.indicator_code = g.indicator_code
LEFT JOIN weights AS w
    ON w.unit_key = g.unit_key AND w.year = g.year AND w.indicator_code = g.indicator_code
    AND w.member_key = g.member_key
GROUP BY ALL
