"""newsetl's benchmark (`make bench`, `python -m bench`): a run against the NER floor and a naive peer."""
