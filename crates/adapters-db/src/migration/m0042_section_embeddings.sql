-- Embeddings of knowledge-base sections (issue 20), when an embedding model is configured: keyed
-- by the section's content (SHA-256 of its title and text) and the model, so an edited section
-- or another model gets a new one; the vector as little-endian f32s.
CREATE TABLE kb_section_embeddings (
    key        {text} NOT NULL,
    model      {text} NOT NULL,
    dims       {bigint} NOT NULL,
    vector     {bytes} NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (key, model)
);
