using System.Net;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Security;

public sealed class CrossOriginAndHeadersTests
{
    private const string App = "https://app.example.com";

    public static TheoryData<string, string> AdminAndDashboardAnswers => new()
    {
        { "GET", "/api/admin/rate-limit-status" },
        { "GET", "/api/admin/keys" },
        { "GET", "/api/admin/usage" },
        { "GET", "/api/admin/live" },
        { "GET", "/api/admin/settings" },
        { "GET", "/api/admin/no-such-thing" },
        { "GET", "/dashboard" },
        { "GET", "/dashboard/assets/app.js" },
        { "GET", "/dashboard/session" },
        { "POST", "/dashboard/session" },
        { "DELETE", "/dashboard/session" },
        { "GET", "/" },
    };

    [Theory]
    [MemberData(nameof(AdminAndDashboardAnswers))]
    public async Task AdminAndDashboard_EveryAnswer_NoStoreAndNoSniff_SignedInOrNot(string method, string path)
    {
        await using var gateway = await StartAsync(null);

        foreach (var key in new[] { TestGateway.AdminKey, "wrong-admin-key-0123456789", null })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (key is not null)
            {
                request.Headers.Add("X-API-Key", key);
            }

            using var response = await gateway.Client.SendAsync(request);

            response.Headers.CacheControl.ShouldNotBeNull().NoStore.ShouldBeTrue($"{method} {path} answered {(int)response.StatusCode}");
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            response.Headers.Any(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ShouldBeFalse();
        }

    }

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/api/admin/rate-limit-status")]
    [InlineData("/dashboard/session")]
    public async Task NoOriginsConfigured_PreflightRefused_AndNoAccessControlHeaders(string path)
    {
        await using var gateway = await StartAsync(null);

        using var preflight = await gateway.Client.SendAsync(Preflight(path, App));
        preflight.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var body = await preflight.Content.ReadAsStringAsync();
        body.ShouldContain("permission_error");
        body.ShouldContain("PACER_CORS_ORIGINS");
        preflight.Headers.Any(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ShouldBeFalse();

        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/admin/rate-limit-status");
        get.Headers.Add("Origin", App);
        get.Headers.Add("X-API-Key", TestGateway.AdminKey);
        using var answer = await gateway.Client.SendAsync(get);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Headers.Any(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ShouldBeFalse();
    }

    [Fact]
    public async Task OriginsConfigured_ThoseGranted_WithoutCredentials_OthersAndTheDashboardRefused()
    {
        await using var gateway = await StartAsync("https://App.Example.com/, http://localhost:3000");

        using (var granted = await gateway.Client.SendAsync(Preflight("/v1/messages", App)))
        {
            granted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
            granted.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([App]);
            granted.Headers.GetValues("Access-Control-Allow-Headers").Single().ShouldContain("x-api-key");
            granted.Headers.Contains("Access-Control-Allow-Credentials").ShouldBeFalse();
        }

        using (var local = await gateway.Client.SendAsync(Preflight("/api/admin/rate-limit-status", "http://localhost:3000")))
        {
            local.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        using (var other = await gateway.Client.SendAsync(Preflight("/v1/messages", "https://evil.example")))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            other.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
            (await other.Content.ReadAsStringAsync()).ShouldContain("not in PACER_CORS_ORIGINS");
        }

        using (var dashboard = await gateway.Client.SendAsync(Preflight("/dashboard/session", App)))
        {
            dashboard.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            dashboard.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
        }

        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/admin/rate-limit-status");
        get.Headers.Add("Origin", App);
        get.Headers.Add("X-API-Key", TestGateway.AdminKey);
        using var answer = await gateway.Client.SendAsync(get);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([App]);
        answer.Headers.Contains("Access-Control-Allow-Credentials").ShouldBeFalse();
    }

    [Theory]
    [InlineData("https://app.example.com", "https://app.example.com")]
    [InlineData(" HTTPS://APP.example.com/ ", "https://app.example.com")]
    [InlineData("http://localhost:3000", "http://localhost:3000")]
    [InlineData("https://app.example.com:443", "https://app.example.com")]
    [InlineData("*", null)]
    [InlineData("https://*.example.com", null)]
    [InlineData("app.example.com", null)]
    [InlineData("ftp://app.example.com", null)]
    [InlineData("https://app.example.com/path", null)]
    [InlineData("https://app.example.com?x=1", null)]
    [InlineData("https://user@app.example.com", null)]
    public void Normalize_OnlyAnOriginAsBrowsersSendIt(string origin, string? expected) =>
        CrossOrigin.Normalize(origin).ShouldBe(expected);

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
        return request;
    }

    private static Task<TestGateway> StartAsync(string? origins)
    {
        var settings = new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9", ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey };
        if (origins is not null)
        {
            settings["PACER_CORS_ORIGINS"] = origins;
        }

        return TestGateway.StartAsync(settings);
    }
}
