using System.Net;
using System.Text.Json;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Admin;

public sealed class AdminAuthTests
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/admin/rate-limit-status" },
        { "POST", "/api/admin/update-rate-limits" },
        { "POST", "/api/admin/reset-rate-limits" },
        { "GET", "/api/admin/keys" },
        { "POST", "/api/admin/keys" },
        { "DELETE", "/api/admin/keys/key_0" },
        { "GET", "/api/admin/usage" },
        { "GET", "/api/admin/usage.csv" },
        { "GET", "/api/admin/budgets" },
        { "GET", "/api/admin/budgets/alice" },
        { "PUT", "/api/admin/budgets/alice" },
        { "DELETE", "/api/admin/budgets/alice" },
        { "GET", "/api/admin/live" },
        { "GET", "/api/admin/settings" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AdminEndpoint_NoAdminKeyConfigured_503SayingHowToEnable(string method, string path)
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9" });

        using var response = await gateway.Client.SendAsync(gateway.Admin(new HttpMethod(method), path, """{"config":{"maxRetries":1}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var message = await Message(response);
        message.ShouldContain("set PACER_ADMIN_API_KEY");
        gateway.Service<Pacer.Limiting.Limiter>().Options.MaxRetries.ShouldBe(3);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AdminEndpoint_MissingOrWrongKey_401AndNothingChanges(string method, string path)
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
        });

        foreach (var key in new[] { null, "wrong-key-wrong-key-wrong", TestGateway.AdminKey + "x", TestGateway.AdminKey[..^1] })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("""{"config":{"maxRetries":1},"user":"u"}""") };
            if (key is not null)
            {
                request.Headers.Add("X-API-Key", key);
            }

            using var response = await gateway.Client.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var body = await response.Content.ReadAsStringAsync();
            body.ShouldContain("\"authentication_error\"");
            body.ShouldNotContain(TestGateway.AdminKey);
        }

        gateway.Service<Pacer.Limiting.Limiter>().Options.MaxRetries.ShouldBe(3);
    }

    private static async Task<string> Message(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("type").GetString().ShouldBe("error");
        return json.RootElement.GetProperty("error").GetProperty("message").GetString()!;
    }
}
