using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Tests.Support;
using static Pacer.Gateway.Tests.Hosting.GatewayConfigurationTests;

namespace Pacer.Gateway.Tests.Security;

public sealed class ConnectionLimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Bind_NothingSet_TheDocumentedDefaults()
    {
        var options = GatewayConfiguration.Bind(Config(), out var errors);

        errors.ShouldBeEmpty();
        options.RequestHeadersTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        options.KeepAliveTimeout.ShouldBe(TimeSpan.FromSeconds(130));
        options.MinRequestBodyBytesPerSecond.ShouldBe(240);
        options.MaxConnections.ShouldBe(15_000);
        options.CorsOrigins.ShouldBeEmpty();
    }

    [Fact]
    public void Bind_EachSet_FromEnvironmentOrSection()
    {
        var options = GatewayConfiguration.Bind(Config(
            ("PACER_REQUEST_HEADERS_TIMEOUT", "2500"),
            ("PACER_KEEP_ALIVE_TIMEOUT", "5000"),
            ("Gateway:MinRequestBodyRate", "0"),
            ("PACER_MAX_CONNECTIONS", "0"),
            ("PACER_CORS_ORIGINS", "https://a.example, http://localhost:5173")), out var errors);

        errors.ShouldBeEmpty();
        options.RequestHeadersTimeout.ShouldBe(TimeSpan.FromMilliseconds(2500));
        options.KeepAliveTimeout.ShouldBe(TimeSpan.FromSeconds(5));
        options.MinRequestBodyBytesPerSecond.ShouldBe(0);
        options.MaxConnections.ShouldBe(0);
        options.CorsOrigins.ShouldBe(["https://a.example", "http://localhost:5173"]);
    }

    [Fact]
    public void Bind_BadValues_EachNamedWithWhatIsAllowed()
    {
        GatewayConfiguration.Bind(Config(
            ("PACER_REQUEST_HEADERS_TIMEOUT", "10"),
            ("PACER_KEEP_ALIVE_TIMEOUT", "forever"),
            ("PACER_MIN_REQUEST_BODY_RATE", "-1"),
            ("PACER_MAX_CONNECTIONS", "lots"),
            ("PACER_CORS_ORIGINS", "https://a.example,*")), out var errors);

        errors.Select(e => e.ToString()).ShouldBe([
            "PACER_REQUEST_HEADERS_TIMEOUT: '10' is out of range; allowed 1000-600000 ms",
            "PACER_KEEP_ALIVE_TIMEOUT: 'forever' is not a whole number; allowed 1000-3600000 ms",
            "PACER_MIN_REQUEST_BODY_RATE: '-1' is out of range; allowed 0-100000000 bytes/s",
            "PACER_MAX_CONNECTIONS: 'lots' is not a whole number; allowed 0-10000000",
            "PACER_CORS_ORIGINS: '*' each origin must be scheme://host[:port] with http or https and nothing after, for example https://app.example.com; '*' is not allowed",
        ]);
    }

    [Fact]
    public async Task Settings_ReachKestrel()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
            ["PACER_REQUEST_HEADERS_TIMEOUT"] = "3000",
            ["PACER_KEEP_ALIVE_TIMEOUT"] = "4000",
            ["PACER_MIN_REQUEST_BODY_RATE"] = "1000",
            ["PACER_MAX_CONNECTIONS"] = "77",
        });

        var limits = gateway.Service<IOptions<KestrelServerOptions>>().Value.Limits;
        limits.RequestHeadersTimeout.ShouldBe(TimeSpan.FromSeconds(3));
        limits.KeepAliveTimeout.ShouldBe(TimeSpan.FromSeconds(4));
        limits.MinRequestBodyDataRate.ShouldNotBeNull().BytesPerSecond.ShouldBe(1000);
        limits.MaxConcurrentConnections.ShouldBe(77);
    }

    [Fact]
    public async Task SlowHeaders_ConnectionClosedAfterTheTimeout_WhileOthersAreServed()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
            ["PACER_REQUEST_HEADERS_TIMEOUT"] = "1000",
        });

        using var slow = new TcpClient();
        await slow.ConnectAsync(gateway.BaseUrl.Host, gateway.BaseUrl.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a"));

        using var healthy = await gateway.Client.GetAsync("/healthz");
        healthy.IsSuccessStatusCode.ShouldBeTrue();

        // Kestrel checks its timeouts once a second: the trickling client is answered 408 or cut within a few.
        var buffer = new byte[4096];
        var received = new StringBuilder();
        int read;
        do
        {
            read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        while (read > 0);

        received.ToString().ShouldNotContain("200 OK");
    }
}
