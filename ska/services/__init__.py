"""Service functions: the domain's workflows, each in one transaction, writing history as it goes."""
