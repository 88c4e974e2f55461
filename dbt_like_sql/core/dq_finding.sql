-- Data-quality findings an analyst can act on. Grain: finding_id.
-- @finding_id: Hash of rule, document, lines and message
-- @rule: Rule id, e.g. date_conflict, numbering_duplicate, repeated_block
-- @severity: error / warning / info
-- @message: What a person should know, with the values concerned
SELECT
    md5(concat_ws('|', rule, coalesce(document_id, ''), coalesce(source_path, ''),
                  coalesce(CAST(line_start AS VARCHAR), ''), message)) AS finding_id,
    rule,
    severity,
    document_id,
    source_path,
    line_start,
    line_end,
    message,
    related_table,
    related_id
FROM stg_findings
