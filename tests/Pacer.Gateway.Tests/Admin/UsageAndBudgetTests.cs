using System.Net;
using System.Text.Json;
using Pacer.Gateway.Tests.Support;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Admin;

public sealed class UsageAndBudgetTests : IAsyncLifetime
{
    private SimulatedGateway _setup = null!;

    private TestGateway Gateway => _setup.Gateway;

    public async ValueTask InitializeAsync() => _setup = await SimulatedGateway.StartAsync();

    public async ValueTask DisposeAsync() => await _setup.DisposeAsync();

    [Fact]
    public async Task Usage_AfterRequests_TotalsByUserAsJsonAndCsv()
    {
        (await _setup.Client.SendAsync(Message(user: "alice"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _setup.Client.SendAsync(Message(user: "alice", stream: true))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _setup.Client.SendAsync(Message(user: "bob"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var json = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Get, "/api/admin/usage?groupBy=user"));
        using var csv = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Get, "/api/admin/usage.csv?groupBy=user"));

        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var report = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        report.RootElement.GetProperty("total").GetProperty("requests").GetInt64().ShouldBe(3);
        var rows = report.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("user").GetString()!, r => r.GetProperty("requests").GetInt64());
        rows.ShouldBe(new Dictionary<string, long> { ["alice"] = 2, ["bob"] = 1 });
        report.RootElement.GetProperty("total").GetProperty("outputTokens").GetInt64().ShouldBeGreaterThan(0);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("user,requests,");
        lines.Skip(1).Select(l => l.Split(',')[0]).ShouldBe(["alice", "bob"]);
    }

    [Theory]
    [InlineData("/api/admin/usage?groupBy=week", "groupBy \"week\"")]
    [InlineData("/api/admin/usage?from=yesterday", "from \"yesterday\"")]
    [InlineData("/api/admin/usage?since=2025-01-01", "Unknown query parameter 'since'")]
    [InlineData("/api/admin/usage?format=xml", "format \"xml\"")]
    public async Task Usage_BadQuery_400NamingTheParameter(string path, string expected)
    {
        using var response = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Get, path));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(response)).Message.ShouldContain(expected);
    }

    [Fact]
    public async Task Budget_Exhausted_402BillingErrorWithoutCallingUpstreamUntilRemoved()
    {
        using var set = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Put, "/api/admin/budgets/carol", """{"credits":0,"period":"day"}"""));
        set.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var refused = await _setup.Client.SendAsync(Message(user: "carol"));

        ((int)refused.StatusCode).ShouldBe(402);
        var (type, message) = await ErrorOf(refused);
        type.ShouldBe("billing_error");
        message.ShouldContain("carol");
        _setup.Simulator.Attempts().ShouldBeEmpty();
        (await _setup.Client.SendAsync(Message(user: "dave"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var listed = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Get, "/api/admin/budgets"));
        (await listed.Content.ReadAsStringAsync()).ShouldContain("\"user\":\"carol\"");
        (await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Delete, "/api/admin/budgets/carol"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _setup.Client.SendAsync(Message(user: "carol"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Get, "/api/admin/budgets/carol"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"credits":-1,"period":"day"}""")]
    [InlineData("""{"credits":10,"period":"week"}""")]
    [InlineData("not json")]
    public async Task Budget_BadBody_400(string body)
    {
        using var response = await Gateway.Client.SendAsync(Gateway.Admin(HttpMethod.Put, "/api/admin/budgets/erin", body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"invalid_request_error\"");
    }
}
