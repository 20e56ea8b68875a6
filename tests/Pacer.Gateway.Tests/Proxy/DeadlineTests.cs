using System.Net;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary>
/// The caller's deadline at the gateway (<c>x-pacer-deadline-ms</c>, <c>x-stainless-timeout</c>), against a recording
/// upstream on a real socket that hangs: the caller gets the gateway's 504 <c>timeout_error</c> before its own timeout.
/// </summary>
public sealed class DeadlineTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private UpstreamGateway _setup = null!;

    public async ValueTask InitializeAsync()
    {
        _setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_DELAY"] = "100",
        });
    }

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Fact]
    public async Task Post_UpstreamHangsThenResets_CallerGetsTheGateways504BeforeItsOwnTimeout()
    {
        // The 120 s hang and 150 s caller, scaled by 12.5: the upstream hangs 9.6 s then resets the connection,
        // the caller gives up after 12 s and says so with x-stainless-timeout. The gateway retries the reset (100 ms
        // backoff), then cuts the second attempt at the cutoff, 1 s (the margin's ceiling) before the caller's deadline.
        _setup.Upstream.Handler = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(9.6), context.RequestAborted);
            context.Abort();
        };
        using var caller = new HttpClient { BaseAddress = _setup.Gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(12) };
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-stainless-timeout", "12");

        using var response = await caller.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        var (type, message) = await GatewayRequests.ErrorOf(response);
        type.ShouldBe("timeout_error");
        message.ShouldContain("the attempt had no response headers by the cutoff");
        GatewayRequests.Header(response, "x-should-retry").ShouldBe("false");
        GatewayRequests.Header(response, "request-id").ShouldStartWith("req_pacer_");
        _setup.Upstream.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Post_ExplicitDeadlineShorterThanTheSdkTimeout_TheEarlierWins()
    {
        var hung = new TaskCompletionSource();
        _setup.Upstream.Handler = async context =>
        {
            await hung.Task.WaitAsync(context.RequestAborted);
        };
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-stainless-timeout", "600");
        request.Headers.Add("x-pacer-deadline-ms", "1000");

        using var response = await _setup.Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await GatewayRequests.ErrorOf(response)).Type.ShouldBe("timeout_error");
        var seen = _setup.Upstream.Requests.ShouldHaveSingleItem();
        seen.Headers.ContainsKey("x-pacer-deadline-ms").ShouldBeFalse();
        seen.Headers["x-stainless-timeout"].ShouldBe("600");
        hung.SetResult();
    }

    // "|" separates values sent as separate header lines.
    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("soon")]
    [InlineData("86400001")]
    [InlineData("99999999999999999999")]
    [InlineData("")]
    [InlineData("1000|2000")]
    public async Task Post_BadDeadlineHeader_400NamingTheHeaderAndRange(string values)
    {
        using var request = GatewayRequests.Message();
        request.Headers.TryAddWithoutValidation("x-pacer-deadline-ms", values.Split('|'));

        using var response = await _setup.Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await GatewayRequests.ErrorOf(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldBe("The x-pacer-deadline-ms header must be one whole number of milliseconds from 1 to 86400000: the request's budget from its arrival at the gateway.");
        _setup.Upstream.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("None")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("later")]
    [InlineData("86401")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1e3")]
    public async Task Post_UnreadableSdkTimeout_IgnoredAndForwarded(string value)
    {
        using var request = GatewayRequests.Message();
        request.Headers.TryAddWithoutValidation("x-stainless-timeout", value);

        using var response = await _setup.Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _setup.Upstream.Requests.ShouldHaveSingleItem().Headers["x-stainless-timeout"].ShouldBe(value);
    }

    [Fact]
    public async Task Post_ValidDeadlineAndQuickUpstream_AnsweredAsUsual()
    {
        using var request = GatewayRequests.Message();
        request.Headers.Add("x-pacer-deadline-ms", "30000");
        request.Headers.Add("x-stainless-timeout", "1,5");

        using var response = await _setup.Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"ok":true}""");
    }
}
