// Constraints and indexes the loader relies on; each statement is idempotent.
CREATE CONSTRAINT resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE;
CREATE CONSTRAINT article_id IF NOT EXISTS FOR (a:Article) REQUIRE a.id IS UNIQUE;
CREATE INDEX resource_name IF NOT EXISTS FOR (n:Resource) ON (n.name);
CREATE INDEX resource_wikidata IF NOT EXISTS FOR (n:Resource) ON (n.wikidata);
