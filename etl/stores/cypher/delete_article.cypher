// Remove an article node once its statements were retracted.
MATCH (a:Article {id: $id})
DETACH DELETE a
RETURN count(a) AS deleted
