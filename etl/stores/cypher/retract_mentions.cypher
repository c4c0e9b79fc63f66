// Forget which entities these articles mention (after their facts were retracted).
UNWIND $ids AS id
MATCH (:Article {id: id})-[m:MENTIONS]->()
DELETE m
