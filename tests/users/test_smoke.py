from tests.helpers import Users


async def test_register_login_me(users: Users) -> None:
    account = await users.signed_in()
    response = await account.client.get("/api/v1/users/me")
    assert response.status == 200
    assert (await response.json())["email"] == account.email
