using System.Text.Json;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Tests.Http;

public sealed class RejectionResponseTests
{
    [Theory]
    [InlineData(RejectionReason.QueueFull, 429, "rate_limit_error", "true")]
    [InlineData(RejectionReason.WaitTooLong, 429, "rate_limit_error", "true")]
    [InlineData(RejectionReason.Cooldown, 429, "rate_limit_error", "true")]
    [InlineData(RejectionReason.TooLarge, 429, "rate_limit_error", "false")]
    [InlineData(RejectionReason.ShuttingDown, 529, "overloaded_error", "true")]
    public async Task Create_EachReason_GivesAnthropicsShape(RejectionReason reason, int status, string type, string shouldRetry)
    {
        var exception = new PacerRejectedException(reason, TimeSpan.FromMilliseconds(2300), "The queue is full (10000 waiting).");

        using var response = RejectionResponse.Create(exception, "req_test");

        ((int)response.StatusCode).ShouldBe(status);
        response.Headers.GetValues("retry-after").ShouldBe(["3"]);
        response.Headers.GetValues("retry-after-ms").ShouldBe(["2300"]);
        response.Headers.GetValues("x-should-retry").ShouldBe([shouldRetry]);
        response.Headers.GetValues("request-id").ShouldBe(["req_test"]);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        json.RootElement.GetProperty("type").GetString().ShouldBe("error");
        json.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe(type);
        json.RootElement.GetProperty("error").GetProperty("message").GetString().ShouldBe("The queue is full (10000 waiting).");
        json.RootElement.GetProperty("request_id").GetString().ShouldBe("req_test");
    }

    [Fact]
    public void Create_NoRequestId_MakesOneInAnthropicsForm()
    {
        using var response = RejectionResponse.Create(new PacerRejectedException(RejectionReason.QueueFull, TimeSpan.Zero, "full"));

        response.Headers.GetValues("request-id").Single().ShouldMatch("^req_[0-9a-f]{24}$");
        response.Headers.GetValues("retry-after").ShouldBe(["0"]);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.001, "1")]
    [InlineData(1.0, "1")]
    [InlineData(1.2, "2")]
    [InlineData(59.9, "60")]
    public void RetryAfterSeconds_RoundsUp(double seconds, string expected) =>
        RejectionResponse.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);
}
