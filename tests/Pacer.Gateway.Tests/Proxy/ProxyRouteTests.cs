using System.Net;
using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Proxy;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary>The proxy's route, taken before status-code pages, the dashboard's headers and routing.</summary>
public sealed class ProxyRouteTests : IAsyncLifetime
{
    private UpstreamGateway _setup = null!;

    public async ValueTask InitializeAsync() =>
        _setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_MAX_RETRIES"] = "0" });

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Theory]
    [InlineData("/v1/models", true)]
    [InlineData("/V1/Models", true)]
    [InlineData("/v1/", true)]
    [InlineData("/v1", false)]
    [InlineData("/v10/models", false)]
    [InlineData("/api/admin/keys", false)]
    [InlineData("/", false)]
    public void IsProxied_Path_OnlyUnderV1InAnyCase(string path, bool proxied) =>
        ProxyRoute.IsProxied(new PathString(path)).ShouldBe(proxied);

    [Fact]
    public async Task Get_UpperCaseV1Path_ProxiedAsRoutingDid()
    {
        using var response = await GetAsync("/V1/models");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _setup.Upstream.Requests.ShouldHaveSingleItem().Path.ShouldBe("/V1/models");
    }

    [Fact]
    public async Task Get_UpstreamAnswers404WithoutBody_CallerGetsTheUpstreamsAnswerNotTheGatewaysPage()
    {
        _setup.Upstream.Handler = context =>
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["request-id"] = "req_empty";
            return Task.CompletedTask;
        };

        using var response = await GetAsync("/v1/models/nope");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Headers.GetValues("request-id").ShouldBe(["req_empty"]);
        (await response.Content.ReadAsStringAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Get_OtherUnknownPath_StillTheGatewaysNotFoundPage()
    {
        using var response = await GetAsync("/v2/models");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("The gateway serves /v1/*");
        _setup.Upstream.Requests.ShouldBeEmpty();
    }

    private async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-api-key", "sk-ant-caller");
        return await _setup.Gateway.Client.SendAsync(request);
    }
}
