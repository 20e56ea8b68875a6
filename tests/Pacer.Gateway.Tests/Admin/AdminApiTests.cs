using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Admin;

public sealed partial class AdminApiTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-admin-").FullName;
    private TestGateway _gateway = null!;

    private static Dictionary<string, string?> Settings => new()
    {
        ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
        ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "40",
    };

    public async ValueTask InitializeAsync() => _gateway = await TestGateway.StartAsync(Settings, _folder);

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        TestGateway.DeleteFolder(_folder);
    }

    [Fact]
    public async Task Status_WithKey_AnswersTheSeedsShapeFieldForField()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Names(root).Take(4).ShouldBe(["success", "configuration", "currentStatus", "timestamp"]);
        root.GetProperty("success").GetBoolean().ShouldBeTrue();
        var configuration = root.GetProperty("configuration");
        Names(configuration).ShouldBe(["maxRequestsPerMinute", "maxConcurrentRequests", "maxRetries", "baseDelay", "maxDelay", "backoffFactor"]);
        configuration.GetProperty("maxRequestsPerMinute").GetInt32().ShouldBe(40);
        configuration.GetProperty("maxConcurrentRequests").GetInt32().ShouldBe(5);
        configuration.GetProperty("maxRetries").GetInt32().ShouldBe(3);
        configuration.GetProperty("baseDelay").GetInt32().ShouldBe(1000);
        configuration.GetProperty("maxDelay").GetInt32().ShouldBe(30000);
        configuration.GetProperty("backoffFactor").GetRawText().ShouldBe("2");
        var status = root.GetProperty("currentStatus");
        Names(status).ShouldBe(["recentRequests", "currentRequests", "requestsInLastMinute", "timeUntilReset"]);
        status.GetProperty("recentRequests").GetInt32().ShouldBe(0);
        status.GetProperty("timeUntilReset").GetInt64().ShouldBe(0);
        IsoMillis().IsMatch(root.GetProperty("timestamp").GetString()!).ShouldBeTrue();
        root.GetProperty("queue").GetProperty("requests").GetInt32().ShouldBe(0);
        root.GetProperty("queue").GetProperty("byPriority").GetProperty("interactive").GetInt32().ShouldBe(0);
        root.GetProperty("queue").GetProperty("byPriority").GetProperty("batch").GetInt32().ShouldBe(0);
        root.GetProperty("settings").GetProperty("burst").GetInt32().ShouldBe(3);
        root.GetProperty("settings").GetProperty("batchMinShare").GetInt32().ShouldBe(10);
        root.GetProperty("settings").GetProperty("learnLimits").GetBoolean().ShouldBeTrue();
        root.GetProperty("totals").GetProperty("requests").GetInt64().ShouldBe(0);
        root.GetProperty("gateway").GetProperty("authMode").GetString().ShouldBe("passthrough");
    }

    [Fact]
    public async Task Update_ValidConfig_AppliedAndAnsweredWithNewConfiguration()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits",
            """{"config":{"maxRequestsPerMinute":100,"maxConcurrentRequests":10,"maxRetries":5}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var configuration = json.RootElement.GetProperty("configuration");
        configuration.GetProperty("maxRequestsPerMinute").GetInt32().ShouldBe(100);
        configuration.GetProperty("maxConcurrentRequests").GetInt32().ShouldBe(10);
        configuration.GetProperty("maxRetries").GetInt32().ShouldBe(5);
        json.RootElement.GetProperty("success").GetBoolean().ShouldBeTrue();
        json.RootElement.TryGetProperty("currentStatus", out _).ShouldBeTrue();
        json.RootElement.GetProperty("updated").GetProperty("maxRetries").GetInt32().ShouldBe(5);
        _gateway.Service<Pacer.Limiting.Limiter>().Options.MaxConcurrentRequests.ShouldBe(10);
    }

    [Fact]
    public async Task Update_SeveralInvalidFields_400ListsEveryOneWithRangeAndChangesNothing()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits",
            """{"config":{"maxRequestsPerMinute":0,"maxConcurrentRequests":10,"maxRetries":11,"backoffFactor":"fast","speed":3}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("success").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("invalid_request_error");
        var errors = json.RootElement.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e);
        errors.Keys.Order().ShouldBe(["backoffFactor", "maxRequestsPerMinute", "maxRetries", "speed"]);
        errors["maxRequestsPerMinute"].GetProperty("allowed").GetString().ShouldBe("1-1000");
        errors["maxRetries"].GetProperty("allowed").GetString().ShouldBe("0-10");
        errors["backoffFactor"].GetProperty("allowed").GetString().ShouldBe("1-5");
        var options = _gateway.Service<Pacer.Limiting.Limiter>().Options;
        options.MaxRequestsPerMinute.ShouldBe(40);
        options.MaxConcurrentRequests.ShouldBe(5);
    }

    [Theory]
    [InlineData("""{"config":{"tokenBurstSeconds":0}}""", "tokenBurstSeconds", "1-60")]
    [InlineData("""{"config":{"tokenBurstSeconds":61}}""", "tokenBurstSeconds", "1-60")]
    [InlineData("""{"config":{"outputReservation":"sometimes"}}""", "outputReservation", "0-2")]
    [InlineData("""{"config":{"outputReservation":3}}""", "outputReservation", "0-2")]
    public async Task Update_EngineSettingOutOfRange_400NamesItsRangeAndChangesNothing(string body, string field, string allowed)
    {
        var before = _gateway.Service<Pacer.Limiting.Limiter>().Options;

        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors").EnumerateArray().ShouldHaveSingleItem();
        error.GetProperty("field").GetString().ShouldBe(field);
        error.GetProperty("allowed").GetString()!.ShouldStartWith(allowed);
        _gateway.Service<Pacer.Limiting.Limiter>().Options.ShouldBe(before);
    }

    [Fact]
    public async Task Update_EngineSettings_AppliedToTheLimiter()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits",
            """{"config":{"tokenBurstSeconds":5,"outputReservation":"estimate"}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var options = _gateway.Service<Pacer.Limiting.Limiter>().Options;
        options.TokenBurstSeconds.ShouldBe(5);
        options.OutputReservation.ShouldBe(Pacer.Configuration.OutputReservation.Estimate);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("", "empty")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"maxRetries":5}""", "Unknown field 'maxRetries'")]
    [InlineData("""{"settings":{}}""", "Unknown field 'settings'")]
    [InlineData("{}", "no 'config' object")]
    [InlineData("""{"config":5}""", "must be a JSON object of settings")]
    [InlineData("""{"config":{}}""", "names no setting")]
    public async Task Update_BadBody_400WithClearMessage(string body, string expected)
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("success").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(expected);
        _gateway.Service<Pacer.Limiting.Limiter>().Options.MaxRequestsPerMinute.ShouldBe(40);
    }

    [Fact]
    public async Task Update_Accepted_SurvivesRestartAndWinsOverEnvironment()
    {
        (await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", """{"config":{"maxRequestsPerMinute":75,"burst":7}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await _gateway.DisposeAsync();

        _gateway = await TestGateway.StartAsync(Settings, _folder);
        var options = _gateway.Service<Pacer.Limiting.Limiter>().Options;

        options.MaxRequestsPerMinute.ShouldBe(75);
        options.Burst.ShouldBe(7);
        options.MaxConcurrentRequests.ShouldBe(5);
        using var status = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Get, "/api/admin/rate-limit-status"));
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("gateway").GetProperty("persistedSettings").EnumerateArray().Select(e => e.GetString()).Order()
            .ShouldBe(["burst", "maxRequestsPerMinute"]);
    }

    [Fact]
    public async Task Reset_AfterUpdate_EnvironmentValuesApplyAgainAndAfterRestart()
    {
        (await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", """{"config":{"maxRequestsPerMinute":75}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        using var reset = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Post, "/api/admin/reset-rate-limits"));

        reset.StatusCode.ShouldBe(HttpStatusCode.OK);
        _gateway.Service<Pacer.Limiting.Limiter>().Options.MaxRequestsPerMinute.ShouldBe(40);
        await _gateway.DisposeAsync();
        _gateway = await TestGateway.StartAsync(Settings, _folder);
        _gateway.Service<Pacer.Limiting.Limiter>().Options.MaxRequestsPerMinute.ShouldBe(40);
    }

    [Fact]
    public async Task WrongMethod_405InAnthropicShape()
    {
        using var response = await _gateway.Client.SendAsync(_gateway.Admin(HttpMethod.Get, "/api/admin/update-rate-limits"));

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"invalid_request_error\"");
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoMillis();
}
