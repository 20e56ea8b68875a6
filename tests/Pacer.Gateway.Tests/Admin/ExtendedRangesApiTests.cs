using System.Net;
using System.Text.Json;
using Pacer.Configuration;
using Pacer.Gateway.Tests.Support;
using Pacer.Limiting;

namespace Pacer.Gateway.Tests.Admin;

/// <summary>PACER_EXTENDED_RANGES through the admin API, the dashboard's ranges and the persisted settings.</summary>
public sealed class ExtendedRangesApiTests : IAsyncDisposable
{
    private const string Update = """{"config":{"maxRequestsPerMinute":5000,"maxConcurrentRequests":200}}""";
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-ranges-").FullName;

    private static Dictionary<string, string?> Settings(bool? extended)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
            ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "40",
        };
        if (extended is { } flag)
        {
            settings["PACER_EXTENDED_RANGES"] = flag ? "true" : "false";
        }

        return settings;
    }

    public ValueTask DisposeAsync()
    {
        TestGateway.DeleteFolder(_folder);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Update_AboveSeedRangeWithoutExtendedRanges_400NamesTheSettingAndChangesNothing()
    {
        await using var gateway = await TestGateway.StartAsync(Settings(extended: null), _folder);

        using var response = await gateway.Client.SendAsync(gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", Update));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("error").GetProperty("message").GetString().ShouldBe(
            "Invalid settings (2), nothing changed: "
            + "maxRequestsPerMinute: '5000' is out of range; allowed 1-1000 (set PACER_EXTENDED_RANGES=true to allow up to 100000); "
            + "maxConcurrentRequests: '200' is out of range; allowed 1-50 (set PACER_EXTENDED_RANGES=true to allow up to 10000)");
        var errors = json.RootElement.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("allowed").GetString());
        errors["maxRequestsPerMinute"].ShouldBe("1-1000");
        errors["maxConcurrentRequests"].ShouldBe("1-50");
        gateway.Service<Limiter>().Options.MaxRequestsPerMinute.ShouldBe(40);
    }

    [Fact]
    public async Task Update_AboveSeedRangeWithExtendedRanges_AcceptedAndTheSeedsFieldsKeepTheirTypes()
    {
        await using var gateway = await TestGateway.StartAsync(Settings(extended: true), _folder);

        using var response = await gateway.Client.SendAsync(gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", Update));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var configuration = json.RootElement.GetProperty("configuration");
        configuration.EnumerateObject().Select(p => p.Name).ShouldBe(["maxRequestsPerMinute", "maxConcurrentRequests", "maxRetries", "baseDelay", "maxDelay", "backoffFactor"]);
        configuration.GetProperty("maxRequestsPerMinute").GetRawText().ShouldBe("5000");
        configuration.GetProperty("maxConcurrentRequests").GetRawText().ShouldBe("200");
        gateway.Service<Limiter>().Options.MaxConcurrentRequests.ShouldBe(200);
    }

    [Fact]
    public async Task Update_AboveExtendedRange_400WithTheExtendedRange()
    {
        await using var gateway = await TestGateway.StartAsync(Settings(extended: true), _folder);

        using var response = await gateway.Client.SendAsync(gateway.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", """{"config":{"maxRequestsPerMinute":100001}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors").EnumerateArray().Single();
        error.GetProperty("message").GetString().ShouldBe("maxRequestsPerMinute: '100001' is out of range; allowed 1-100000");
        error.GetProperty("allowed").GetString().ShouldBe("1-100000");
    }

    [Theory]
    [InlineData(false, 1000, 50)]
    [InlineData(true, 100000, 10000)]
    public async Task DashboardSettings_ShowTheRangesInForce(bool extended, int requestsPerMinute, int concurrent)
    {
        await using var gateway = await TestGateway.StartAsync(Settings(extended), _folder);

        using var response = await gateway.Client.SendAsync(gateway.Admin(HttpMethod.Get, "/api/admin/settings"));

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("extendedRanges").GetBoolean().ShouldBe(extended);
        var maxima = json.RootElement.GetProperty("settings").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("maximum").GetDouble());
        maxima["maxRequestsPerMinute"].ShouldBe(requestsPerMinute);
        maxima["maxConcurrentRequests"].ShouldBe(concurrent);
        maxima["maxRetries"].ShouldBe(10);
        json.RootElement.GetProperty("settings")[0].GetProperty("extendedMaximum").GetDouble().ShouldBe(100000);
    }

    [Fact]
    public async Task Start_PersistedExtendedValueWithoutTheSetting_SkippedWithAClearLogLine()
    {
        await using (var extended = await TestGateway.StartAsync(Settings(extended: true), _folder))
        {
            (await extended.Client.SendAsync(extended.Admin(HttpMethod.Post, "/api/admin/update-rate-limits", """{"config":{"maxRequestsPerMinute":5000,"maxRetries":5}}""")))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using var gateway = await TestGateway.StartAsync(Settings(extended: null), _folder);

        var options = gateway.Service<Limiter>().Options;
        options.ExtendedRanges.ShouldBeFalse();
        options.MaxRequestsPerMinute.ShouldBe(40);
        options.MaxRetries.ShouldBe(5);
        gateway.Logs.GetSnapshot().Select(r => r.Message).ShouldContain(
            "Persisted setting skipped (maxRequestsPerMinute: '5000' is allowed only with PACER_EXTENDED_RANGES=true, which is not set now; allowed 1-1000); the environment's value applies");
    }

    [Fact]
    public async Task Start_ExtendedRangesNotTrueOrFalse_RefusedNamingIt()
    {
        var settings = Settings(extended: null);
        settings["PACER_EXTENDED_RANGES"] = "on";

        var error = await Should.ThrowAsync<PacerOptionsException>(async () => await TestGateway.StartAsync(settings, _folder));

        error.Errors.ShouldHaveSingleItem().ToString().ShouldBe("PACER_EXTENDED_RANGES: 'on' must be true or false");
    }
}
