"""Import a campaign from the files offices already keep: unit lists, 责任分工 tables,
indicator sheets (xlsx, csv, docx, plain text). Parsing never writes; ``apply`` does."""
