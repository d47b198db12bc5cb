"""API tokens for tests: a real token (django-rest-knox), as a client gets from the endpoint."""

from rest_framework.test import APIClient

from supportops.api_tokens import issue_token


def token_for(user) -> str:
    token, _ = issue_token(user)
    return token


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client
