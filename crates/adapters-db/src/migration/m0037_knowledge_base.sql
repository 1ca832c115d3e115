-- The knowledge base (issue 19): categories and Markdown articles with their counters.
CREATE TABLE kb_categories (
    id         {uuid} PRIMARY KEY,
    name       {text} NOT NULL,
    slug       {text} NOT NULL UNIQUE,
    position   {bigint} NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE TABLE kb_articles (
    id            {uuid} PRIMARY KEY,
    slug          {text} NOT NULL UNIQUE,
    title         {text} NOT NULL,
    body_markdown {text} NOT NULL,
    category_id   {uuid} REFERENCES kb_categories (id) ON DELETE SET NULL,
    status        {text} NOT NULL CHECK (status IN ('draft', 'published')),
    visibility    {text} NOT NULL CHECK (visibility IN ('public', 'internal')),
    author_id     {uuid},
    views         {bigint} NOT NULL DEFAULT 0,
    helpful_yes   {bigint} NOT NULL DEFAULT 0,
    helpful_no    {bigint} NOT NULL DEFAULT 0,
    created_at    {ts} NOT NULL,
    updated_at    {ts} NOT NULL,
    published_at  {ts}
);
CREATE INDEX kb_articles_category ON kb_articles (category_id);
