using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Auth;

public sealed class ManagedKeysTests : IAsyncLifetime
{
    private const string UpstreamKey = "sk-ant-upstream-secret-0001";

    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-keys-").FullName;
    private TestUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers["request-id"] = "req_up";
            await context.Response.WriteAsync("""{"id":"msg_1","type":"message","usage":{"input_tokens":5,"output_tokens":7}}""");
        };
        _gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = _upstream.BaseUrl.ToString(),
            ["ANTHROPIC_API_KEY"] = UpstreamKey,
            ["PACER_AUTH_MODE"] = "managed",
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
        }, _folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        TestGateway.DeleteFolder(_folder);
    }

    [Fact]
    public async Task Create_ValidUser_ReturnsSecretOnceAndListOmitsIt()
    {
        var (id, secret) = await CreateKey("alice", "laptop");

        secret.ShouldStartWith("sk-pacer-");
        using var list = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Get, "/api/admin/keys"));
        var text = await list.Content.ReadAsStringAsync();
        text.ShouldNotContain(secret);
        using var json = JsonDocument.Parse(text);
        var key = json.RootElement.GetProperty("keys").EnumerateArray().ShouldHaveSingleItem();
        key.GetProperty("id").GetString().ShouldBe(id);
        key.GetProperty("user").GetString().ShouldBe("alice");
        key.GetProperty("name").GetString().ShouldBe("laptop");
        key.GetProperty("active").GetBoolean().ShouldBeTrue();
        secret.ShouldStartWith(key.GetProperty("prefix").GetString()!);
    }

    [Fact]
    public async Task Create_SecretNeverStoredInClear()
    {
        var (_, secret) = await CreateKey("alice", null);
        await _gateway.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var bytes = Directory.GetFiles(_folder).SelectMany(File.ReadAllBytes).ToArray();

        Encoding.UTF8.GetString(bytes).ShouldNotContain(secret);
        _gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = _upstream.BaseUrl.ToString(),
            ["ANTHROPIC_API_KEY"] = UpstreamKey,
            ["PACER_AUTH_MODE"] = "managed",
        }, _folder);
    }

    [Theory]
    [InlineData("x-api-key")]
    [InlineData("bearer")]
    public async Task Proxy_IssuedKey_UpstreamGetsGatewayKeyAndUserIsTheKeysUser(string style)
    {
        var (_, secret) = await CreateKey("bob", null);

        using var response = await _gateway.Client.SendAsync(Message(secret, style));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var seen = _upstream.Requests.ShouldHaveSingleItem();
        seen.Headers["x-api-key"].ShouldBe(UpstreamKey);
        seen.Headers.ShouldNotContainKey("authorization");
        (await response.Content.ReadAsStringAsync()).ShouldNotContain(UpstreamKey);
        var line = _gateway.Logs.GetSnapshot().Select(r => r.Message).Single(m => m.StartsWith("POST /v1/messages", StringComparison.Ordinal));
        line.ShouldContain("user=bob");
        line.ShouldContain("input_tokens=5 output_tokens=7");
    }

    [Fact]
    public async Task Proxy_UnknownOrRevokedKey_401AuthenticationError()
    {
        var (id, secret) = await CreateKey("carol", null);
        using var revoke = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Delete, $"/api/admin/keys/{id}"));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);

        foreach (var key in new[] { secret, "sk-pacer-unknown", "sk-ant-real-looking" })
        {
            using var response = await _gateway.Client.SendAsync(Message(key, "x-api-key"));
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var body = await response.Content.ReadAsStringAsync();
            body.ShouldContain("\"authentication_error\"");
            body.ShouldNotContain(key);
        }

        _upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Proxy_KeyRevokedAfterUse_RefusedOnTheVeryNextRequest()
    {
        var (id, secret) = await CreateKey("dave", null);
        for (var i = 0; i < 2; i++)
        {
            // The second request finds the key among those recently found.
            using var accepted = await _gateway.Client.SendAsync(Message(secret, "x-api-key"));
            accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var revoke = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Delete, $"/api/admin/keys/{id}"));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var refused = await _gateway.Client.SendAsync(Message(secret, "x-api-key"));

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        _upstream.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Revoke_UnknownId_404()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Delete, "/api/admin/keys/key_nope"));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"not_found_error\"");
    }

    [Theory]
    [InlineData("""{"name":"x"}""", "'user' is required")]
    [InlineData("""{"user":""}""", "'user' must not be empty")]
    [InlineData("""{"user":5}""", "'user' must be a string")]
    [InlineData("""{"user":"a","role":"admin"}""", "Unknown field 'role'")]
    [InlineData("nope", "not valid JSON")]
    public async Task Create_BadBody_400WithClearMessage(string body, string expected)
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/keys", body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    private async Task<(string Id, string Secret)> CreateKey(string user, string? name)
    {
        var body = name is null ? $$"""{"user":"{{user}}"}""" : $$"""{"user":"{{user}}","name":"{{name}}"}""";
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/keys", body));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("key").GetProperty("id").GetString()!, json.RootElement.GetProperty("secret").GetString()!);
    }

    private static HttpRequestMessage Message(string key, string style)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        if (style == "bearer")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else
        {
            request.Headers.Add("x-api-key", key);
        }

        return request;
    }
}
