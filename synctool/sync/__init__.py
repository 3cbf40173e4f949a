"""A sync: from the service's files, the applied and the declared blueprint
versions to a plan and its writes, as steps returning a typed result."""
