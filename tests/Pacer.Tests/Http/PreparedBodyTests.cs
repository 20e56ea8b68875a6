using System.Text;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class PreparedBodyTests
{
    private const string PreparedModel = "claude-opus-4-1";

    [Fact]
    public async Task SendAsync_PreparedBody_UsesItsFactsAndEstimateInsteadOfReadingTheBodyAgain()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(200, 5, PreparedModel))));
        var body = HandlerFixture.MessagesBody(userId: "from-body");
        using var request = HandlerFixture.Messages(body);

        // Facts and estimate that differ from the body's own, so that the test sees which ones the handler used.
        PreparedBody.Attach(request, Encoding.UTF8.GetBytes(body), new RequestFacts(PreparedModel, 7, false, "prepared-user"), new InputEstimate(400, 3.6));
        using var response = await fixture.SendAsync(request);

        var outcome = fixture.SingleOutcome();
        outcome.Model.ShouldBe(PreparedModel);
        outcome.User.ShouldBe("prepared-user");
        fixture.Upstream.Requests.ShouldHaveSingleItem().Body.ShouldBe(body);

        // The estimate was 400 at 3.6 and the answer says 200: one step toward 7.2.
        fixture.Limiter.Estimator.CharsPerToken(PreparedModel).ShouldBe(4.32, tolerance: 1e-9);
    }

    [Fact]
    public async Task SendAsync_ContentReplacedAfterPreparing_ReadsTheNewBody()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(200, 5))));
        using var request = HandlerFixture.Messages();
        PreparedBody.Attach(request, Encoding.UTF8.GetBytes(HandlerFixture.MessagesBody()), new RequestFacts(PreparedModel, 7, false, "prepared-user"), new InputEstimate(400, 3.6));
        var replaced = HandlerFixture.MessagesBody(userId: "from-new-body");
        request.Content = new StringContent(replaced, Encoding.UTF8, "application/json");

        using var response = await fixture.SendAsync(request);

        var outcome = fixture.SingleOutcome();
        outcome.Model.ShouldBe("claude-sonnet-4-5");
        outcome.User.ShouldBe("from-new-body");
        fixture.Upstream.Requests.ShouldHaveSingleItem().Body.ShouldBe(replaced);
        fixture.Limiter.Estimator.CharsPerToken(PreparedModel).ShouldBe(InputTokenEstimator.DefaultCharsPerToken);
        var estimate = new InputTokenEstimator().Estimate("claude-sonnet-4-5", Encoding.UTF8.GetBytes(replaced));
        fixture.Limiter.Estimator.CharsPerToken("claude-sonnet-4-5").ShouldBe(3.6 + (0.2 * ((3.6 * estimate.Tokens / 200) - 3.6)), tolerance: 1e-9);
    }
}
