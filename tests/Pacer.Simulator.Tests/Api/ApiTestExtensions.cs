using System.Text.Json;

namespace Pacer.Simulator.Tests.Api;

/// <summary>Reads Anthropic-shaped JSON from responses.</summary>
internal static class ApiTestExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestSimulator.Wait);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an error body in Anthropic's shape and returns its message.</summary>
    public static async Task<string> ErrorAsync(this HttpResponseMessage response, int status, string type)
    {
        ((int)response.StatusCode).ShouldBe(status);
        var json = await response.JsonAsync();
        json.GetProperty("type").GetString().ShouldBe("error");
        json.GetProperty("error").GetProperty("type").GetString().ShouldBe(type);
        var requestId = json.GetProperty("request_id").GetString().ShouldNotBeNull();
        requestId.ShouldStartWith("req_");
        TestSimulator.Header(response, "request-id").ShouldBe(requestId);
        TestSimulator.Header(response, "anthropic-organization-id").ShouldNotBeEmpty();
        return json.GetProperty("error").GetProperty("message").GetString()!;
    }
}
