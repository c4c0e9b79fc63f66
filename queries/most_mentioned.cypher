// name: most_mentioned
// question: Which actors are mentioned in the most articles?
// param: min_articles = 1   (leave out actors mentioned in fewer articles than this)
// note: Actors are entities of kg:Actor or a subclass (people, organisations, countries,
// note: communities); a country counts, as it is an actor too.
MATCH (article:Article)-[:MENTIONS]->(e:Actor)
WITH e, count(DISTINCT article) AS articles
WHERE articles >= $min_articles
RETURN e.name AS actor, articles
ORDER BY articles DESC, actor
