using System.Text;
using System.Text.Json;
using Pacer.Gateway.Proxy;

namespace Pacer.Gateway.Tests.Proxy;

public sealed class AnthropicErrorTests
{
    [Fact]
    public void StreamEvent_Always_IsAnSseErrorEventInAnthropicsShape()
    {
        var text = Encoding.UTF8.GetString(AnthropicError.StreamEvent("api_error", "cut \"short\""));

        text.ShouldStartWith("event: error\ndata: ");
        text.ShouldEndWith("\n\n");
        using var data = JsonDocument.Parse(text["event: error\ndata: ".Length..].Trim());
        data.RootElement.GetProperty("type").GetString().ShouldBe("error");
        data.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("api_error");
        data.RootElement.GetProperty("error").GetProperty("message").GetString().ShouldBe("cut \"short\"");
    }
}
