using System.Net;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary><c>x-pacer-priority</c>: interactive (the default) or batch; anything else is a 400 naming the header and the allowed values.</summary>
public sealed class PriorityHeaderTests
{
    [Theory]
    [InlineData("interactive")]
    [InlineData("batch")]
    [InlineData(" Batch ")]
    public async Task Proxy_KnownPriority_ServedAndTheHeaderNotForwarded(string value)
    {
        await using var setup = await UpstreamGateway.StartAsync();
        var (upstream, gateway) = setup;
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-pacer-priority", value);

        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        upstream.Requests.ShouldHaveSingleItem().Headers.Keys.ShouldNotContain(k => k.StartsWith("x-pacer-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("urgent")]
    [InlineData("1")]
    [InlineData("")]
    public async Task Proxy_UnknownPriority_400NamingTheHeaderAndTheAllowedValuesWithoutCallingUpstream(string value)
    {
        await using var setup = await UpstreamGateway.StartAsync();
        var (upstream, gateway) = setup;
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-pacer-priority", value);

        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await GatewayRequests.ErrorOf(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldBe("The x-pacer-priority header must be interactive or batch.");
        upstream.Requests.ShouldBeEmpty();
    }
}
