using System.Net.Http.Headers;
using System.Text;
using Pacer.Limiting;
using Pacer.Retrying;
using Pacer.Tests.Support;

namespace Pacer.Tests.Retrying;

public sealed class RetryClassifierTests
{
    [Theory]
    [InlineData(200, false, "Success")]
    [InlineData(201, false, "Success")]
    [InlineData(400, false, "FinalStatus")]
    [InlineData(401, false, "FinalStatus")]
    [InlineData(402, false, "FinalStatus")]
    [InlineData(403, false, "FinalStatus")]
    [InlineData(404, false, "FinalStatus")]
    [InlineData(408, true, "RetryableStatus")]
    [InlineData(409, true, "RetryableStatus")]
    [InlineData(413, false, "FinalStatus")]
    [InlineData(418, false, "FinalStatus")]
    [InlineData(422, false, "FinalStatus")]
    [InlineData(429, true, "RetryableStatus")]
    [InlineData(500, true, "RetryableStatus")]
    [InlineData(501, true, "RetryableStatus")]
    [InlineData(502, true, "RetryableStatus")]
    [InlineData(503, true, "RetryableStatus")]
    [InlineData(504, true, "RetryableStatus")]
    [InlineData(529, true, "RetryableStatus")]
    public void Classify_StatusWithoutHeader_FollowsTheTable(int status, bool retried, string reason)
    {
        var decision = RetryClassifier.Classify(status, shouldRetryHeader: null, spendLimitReached: false);

        decision.ShouldRetry.ShouldBe(retried);
        decision.Reason.ToString().ShouldBe(reason);
    }

    [Theory]
    [InlineData(400, true, true, "ShouldRetryHeaderTrue")]
    [InlineData(404, true, true, "ShouldRetryHeaderTrue")]
    [InlineData(503, false, false, "ShouldRetryHeaderFalse")]
    [InlineData(429, false, false, "ShouldRetryHeaderFalse")]
    [InlineData(200, true, false, "Success")]
    public void Classify_ShouldRetryHeader_OverridesTheStatusButNeverRetriesASuccess(int status, bool header, bool retried, string reason)
    {
        var decision = RetryClassifier.Classify(status, header, spendLimitReached: false);

        decision.ShouldRetry.ShouldBe(retried);
        decision.Reason.ToString().ShouldBe(reason);
    }

    [Fact]
    public void Classify_SpendLimit429_IsFinal()
    {
        var decision = RetryClassifier.Classify(429, null, spendLimitReached: true);

        decision.ShouldBe(RetryDecision.Final(RetryReason.SpendLimitReached));
    }

    [Fact]
    public async Task ClassifyAsync_SpendLimitBody_IsFinalAndLeavesTheBodyReadable()
    {
        using var response = Responses.Json(429, Responses.SpendLimitBody, ("anthropic-organization-id", "org"));

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldBe(RetryDecision.Final(RetryReason.SpendLimitReached));
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.SpendLimitBody);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        response.Content.Headers.ContentLength.ShouldBe(Encoding.UTF8.GetByteCount(Responses.SpendLimitBody));
    }

    [Fact]
    public async Task ClassifyAsync_Ordinary429_IsRetried()
    {
        using var response = Responses.RateLimited("3");

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldBe(RetryDecision.Retry(RetryReason.RetryableStatus));
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.RateLimitBody);
    }

    [Fact]
    public async Task ClassifyAsync_429WithHtmlBody_IsRetried()
    {
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)429) { Content = new StringContent("<html>slow down</html>") };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/html");

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldRetry.ShouldBeTrue();
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("<html>slow down</html>");
    }

    [Fact]
    public async Task ClassifyAsync_ShouldRetryFalseOn503_IsFinal()
    {
        using var response = Responses.Error(503, "overloaded_error", ("x-should-retry", "false"));

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldBe(RetryDecision.Final(RetryReason.ShouldRetryHeaderFalse));
    }

    [Fact]
    public async Task ClassifyAsync_ShouldRetryTrueOn400_IsRetried()
    {
        using var response = Responses.Error(400, "invalid_request_error", ("x-should-retry", "true"));

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldBe(RetryDecision.Retry(RetryReason.ShouldRetryHeaderTrue));
    }

    [Fact]
    public async Task ClassifyAsync_GarbledShouldRetryHeader_FallsBackToTheStatus()
    {
        using var response = Responses.Error(400, "invalid_request_error", ("x-should-retry", "maybe"));

        var decision = await RetryClassifier.ClassifyAsync(response, CancellationToken.None);

        decision.ShouldBe(RetryDecision.Final(RetryReason.FinalStatus));
    }

    public static TheoryData<Exception, bool, string> Exceptions => new()
    {
        { new HttpRequestException("Connection refused"), true, "ConnectionFailure" },
        { new HttpRequestException("reset", new IOException("reset")), true, "ConnectionFailure" },
        { new IOException("The response ended prematurely."), true, "ConnectionFailure" },
        { new AttemptTimeoutException(TimeSpan.FromSeconds(600)), true, "AttemptTimeout" },
        { new HttpRequestException("bad", null, System.Net.HttpStatusCode.BadRequest), false, "OtherException" },
        { new OperationCanceledException(), false, "Canceled" },
        { new TaskCanceledException(), false, "Canceled" },
        { new PacerRejectedException(RejectionReason.QueueFull, TimeSpan.FromSeconds(1), "full"), false, "Rejected" },
        { new InvalidOperationException("bug"), false, "OtherException" },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Classify_Exception_RetriesOnlyConnectionFailuresAndTimeouts(Exception exception, bool retried, string reason)
    {
        var decision = RetryClassifier.Classify(exception);

        decision.ShouldRetry.ShouldBe(retried);
        decision.Reason.ToString().ShouldBe(reason);
    }

    [Theory]
    [InlineData("""{"type":"error","error":{"type":"rate_limit_error","details":{"error_code":"enforced_spend_limit_reached"}}}""", true)]
    [InlineData("""{"error":{"details":{"other":1,"error_code":"enforced_spend_limit_reached"}},"type":"error"}""", true)]
    [InlineData("""{"type":"error","error":{"type":"rate_limit_error","message":"enforced_spend_limit_reached"}}""", false)]
    [InlineData("""{"type":"error","error":{"details":{"error_code":"something_else"}}}""", false)]
    [InlineData("""{"details":{"error_code":"enforced_spend_limit_reached"}}""", false)]
    [InlineData("""{"error":{"details":{"error_code":""", false)]
    [InlineData("not json", false)]
    [InlineData("", false)]
    public void IsSpendLimitReached_ReadsOnlyErrorDetailsErrorCode(string body, bool expected) =>
        RetryClassifier.IsSpendLimitReached(Encoding.UTF8.GetBytes(body)).ShouldBe(expected);
}
