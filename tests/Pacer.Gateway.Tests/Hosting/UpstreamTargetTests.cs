using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Tests.Hosting;

public sealed class UpstreamTargetTests
{
    [Theory]
    [InlineData("https://api.anthropic.com", "/v1/messages", "", "https://api.anthropic.com/v1/messages")]
    [InlineData("https://proxy.example/anthropic/", "/v1/messages", "?beta=true", "https://proxy.example/anthropic/v1/messages?beta=true")]
    [InlineData("http://127.0.0.1:8080", "/v1/models/a b", "?x=1&y=%20", "http://127.0.0.1:8080/v1/models/a%20b?x=1&y=%20")]
    public void Resolve_PathAndQuery_UnderTheBaseAddress(string baseUrl, string path, string query, string expected)
    {
        var target = new UpstreamTarget(new Uri(baseUrl), isSimulator: false, apiKey: null);

        target.Resolve(new PathString(path), new QueryString(query)).AbsoluteUri.ShouldBe(expected);
    }

    [Fact]
    public void Resolve_SamePathAgain_TheSameAddressUntilThePathOrQueryChanges()
    {
        var target = new UpstreamTarget(new Uri("https://api.anthropic.com"), isSimulator: false, apiKey: null);

        var first = target.Resolve(new PathString("/v1/messages"), QueryString.Empty);
        var again = target.Resolve(new PathString("/v1/messages"), QueryString.Empty);
        var withQuery = target.Resolve(new PathString("/v1/messages"), new QueryString("?beta=true"));
        var other = target.Resolve(new PathString("/v1/models"), QueryString.Empty);
        var back = target.Resolve(new PathString("/v1/messages"), QueryString.Empty);

        again.ShouldBeSameAs(first);
        withQuery.AbsoluteUri.ShouldBe("https://api.anthropic.com/v1/messages?beta=true");
        other.AbsoluteUri.ShouldBe("https://api.anthropic.com/v1/models");
        back.ShouldBe(first);
    }
}
