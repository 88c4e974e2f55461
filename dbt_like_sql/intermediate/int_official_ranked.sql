-- Official scores with ranks among the provinces that have a value (rank 1 = highest), per source, year and indicator; and which source is preferred where two layouts give the same cell (the official workbook: PAPI's over the panel, VCCI's PCI workbook over the Wikipedia table). Grain: (province_key, year, indicator_code, source).
-- @rank: Rank among provinces with a value; NULL when the score is missing
-- @n_ranked: Provinces with a value that year for that indicator and source
-- @is_preferred: The row marts use: the official workbook (PAPI or PCI) where it exists, else the panel or the Wikipedia table
SELECT
    s.*,
    CASE WHEN s.score IS NOT NULL THEN rank() OVER (PARTITION BY s.source, s.year, s.indicator_code, s.score IS NULL ORDER BY s.score DESC) END AS rank,
    count(s.score) OVER (PARTITION BY s.source, s.year, s.indicator_code) AS n_ranked,
    row_number() OVER (PARTITION BY s.province_key, s.year, s.indicator_code
                       ORDER BY CASE s.source WHEN 'papi_official_workbook' THEN 0 WHEN 'pci_workbook' THEN 0 ELSE 1 END,
                                s.source, s.source_ref) = 1
        AS is_preferred  -- the official workbook first; ties broken by source and reference: the same row every build
FROM int_official_scores AS s
