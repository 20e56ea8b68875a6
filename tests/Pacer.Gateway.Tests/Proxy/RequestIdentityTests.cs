using System.Net;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary>Who a request is logged and limited as: metadata.user_id, else x-pacer-user when trusted; the endpoint from x-pacer-endpoint.</summary>
public sealed class RequestIdentityTests
{
    [Theory]
    [InlineData(false, null, "header-user", "anonymous")]
    [InlineData(true, null, "header-user", "header-user")]
    [InlineData(true, "meta-user", "header-user", "meta-user")]
    [InlineData(false, "meta-user", null, "meta-user")]
    public async Task Proxy_UserSources_LoggedUserFollowsThePrecedence(bool trust, string? metadataUser, string? header, string expected)
    {
        await using var setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_TRUST_USER_HEADER"] = trust ? "true" : "false",
        });
        var (upstream, gateway) = setup;
        using var request = GatewayRequests.Message(user: metadataUser);
        if (header is not null)
        {
            request.Headers.Add("x-pacer-user", header);
        }

        request.Headers.Add("x-pacer-endpoint", "/api/generate-scene");

        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var line = gateway.Logs.GetSnapshot().Select(r => r.Message).Single(m => m.StartsWith("POST /api/generate-scene ", StringComparison.Ordinal));
        line.ShouldContain($"user={expected} ");
        line.ShouldContain("model=claude-sonnet-4-5 status=200 attempts=1");
        upstream.Requests.ShouldHaveSingleItem().Headers.Keys.ShouldNotContain(k => k.StartsWith("x-pacer-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Proxy_OverlongUserHeader_400WithoutCallingUpstream()
    {
        await using var setup = await UpstreamGateway.StartAsync();
        var (upstream, gateway) = setup;
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-pacer-user", new string('u', 201));

        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GatewayRequests.ErrorOf(response)).Message.ShouldContain("x-pacer-user");
        upstream.Requests.ShouldBeEmpty();
    }
}
