using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Hosting;

/// <summary><c>PACER_INLINE_IO</c> sets Kestrel's socket scheduling, and the request path works either way.</summary>
public sealed class InlineIoTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task Proxy_InlineIoSetting_SocketsScheduleAsSetAndTheAnswerArrives(string? value, bool inline)
    {
        await using var setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_INLINE_IO"] = value,
        });
        var (upstream, gateway) = setup;
        using var request = GatewayRequests.Message();
        request.Headers.TryAddWithoutValidation("traceparent", TraceParent);

        using var response = await gateway.Client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(10));

        gateway.Service<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling.ShouldBe(inline);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"ok":true}""");

        // No Activity of the gateway's own replaces the caller's trace context on the way upstream.
        upstream.Requests.ShouldHaveSingleItem().Headers["traceparent"].ShouldBe(TraceParent);
    }
}
