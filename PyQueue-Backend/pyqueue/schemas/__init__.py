"""The REST contract: request and response DTOs, and the mappers to and from the domain model."""
