using System.Net;
using System.Text;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;
using Pacer.Usage;

namespace Pacer.Tests.Http;

public sealed class PacerRequestContextTests
{
    [Fact]
    public async Task SendAsync_ContentSetWithItsContext_TheHandlerUsesThatContextAndSendsTheSameBytes()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(200, 5, "claude-opus-4-1"))));
        var body = HandlerFixture.MessagesBody(model: "claude-opus-4-1", maxTokens: 7, userId: "from-body");
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://upstream.test/v1/messages");

        var prepared = request.SetPacerContent(Encoding.UTF8.GetBytes(body), fixture.Limiter);
        using var response = await fixture.SendAsync(request);

        prepared.Kind.ShouldBe(PacerRequestKind.Messages);
        prepared.Model.ShouldBe("claude-opus-4-1");
        prepared.MaxTokens.ShouldBe(7);
        prepared.MetadataUserId.ShouldBe("from-body");
        prepared.Cost.ShouldBe(new RequestCost(prepared.InputEstimate.Tokens, 7));
        request.GetPacerContext().ShouldBeSameAs(prepared);
        fixture.Upstream.Requests.ShouldHaveSingleItem().Body.ShouldBe(body);
        fixture.SingleOutcome().User.ShouldBe("from-body");
    }

    [Fact]
    public async Task SendAsync_ContentReplacedAfterPreparing_ReadsTheNewBody()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(200, 5))));
        using var request = HandlerFixture.Messages(HandlerFixture.MessagesBody(model: "claude-opus-4-1"));
        var stale = await request.PreparePacerContextAsync(fixture.Limiter, TestContext.Current.CancellationToken);
        var replaced = HandlerFixture.MessagesBody(userId: "from-new-body");
        request.Content = new StringContent(replaced, Encoding.UTF8, "application/json");

        using var response = await fixture.SendAsync(request);

        var outcome = fixture.SingleOutcome();
        outcome.Model.ShouldBe("claude-sonnet-4-5");
        outcome.User.ShouldBe("from-new-body");
        fixture.Upstream.Requests.ShouldHaveSingleItem().Body.ShouldBe(replaced);
        var used = request.GetPacerContext().ShouldNotBeNull();
        used.ShouldNotBeSameAs(stale);
        used.Model.ShouldBe("claude-sonnet-4-5");
    }

    [Fact]
    public async Task SendAsync_AfterTheAnswer_ContextCarriesAttemptsQueueTimeAndTheUsageRead()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(25, 12))));
        using var request = HandlerFixture.Messages();

        using var response = await fixture.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var context = request.GetPacerContext().ShouldNotBeNull();
        context.Attempts.ShouldBe(1);
        context.Usage.ShouldBe(new TokenUsage(25, 12));
        context.Usage.ShouldBe(fixture.SingleOutcome().Usage);
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["1"]);
        response.Headers.GetValues(PacerHeaders.QueueMilliseconds).ShouldBe([((long)context.QueueTime.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task StreamEventBytes_AStreamReadInPieces_EndsAtEachWholeEventAndUsageGrows()
    {
        var stream = Sse.MessageStart(30) + Sse.MessageDelta(9) + Sse.Stop;
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(stream)));
        using var request = HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true));
        using var response = await fixture.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var context = request.GetPacerContext().ShouldNotBeNull();
        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);

        var first = new byte[Sse.MessageStart(30).Length + 3];
        await body.ReadExactlyAsync(first, TestContext.Current.CancellationToken);

        context.StreamEventBytes.ShouldBe(Sse.MessageStart(30).Length);
        context.StreamFinished.ShouldBeFalse();
        context.Usage!.Value.InputTokens.ShouldBe(30);
        await body.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
        context.StreamEventBytes.ShouldBe(Encoding.UTF8.GetByteCount(stream));
        context.StreamFinished.ShouldBeTrue();
        context.Usage.ShouldBe(new TokenUsage(30, 9));
    }

    [Theory]
    [InlineData("POST", "/v1/messages", PacerRequestKind.Messages)]
    [InlineData("POST", "/base/v1/messages", PacerRequestKind.Messages)]
    [InlineData("POST", "/v1/messages/count_tokens", PacerRequestKind.CountTokens)]
    [InlineData("GET", "/v1/messages", PacerRequestKind.Other)]
    [InlineData("POST", "/v1/messages/batches", PacerRequestKind.Other)]
    [InlineData("GET", "/v1/models", PacerRequestKind.Other)]
    public void Classify_MethodAndPath_GivesTheKind(string method, string path, PacerRequestKind expected) =>
        PacerRequestContext.Classify(new HttpMethod(method), path).ShouldBe(expected);

    [Fact]
    public async Task ReserveBudgetAsync_CountTokensRequest_HoldsNothing()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, "{}")));
        using var request = HandlerFixture.Messages(HandlerFixture.MessagesBody(), "/v1/messages/count_tokens");
        var context = await request.PreparePacerContextAsync(fixture.Limiter, TestContext.Current.CancellationToken);
        var folder = Directory.CreateTempSubdirectory("pacer-context-");
        await using var ledger = await SqliteUsageLedger.OpenAsync(Path.Combine(folder.FullName, "usage.db"), cancellationToken: TestContext.Current.CancellationToken);
        var guard = new BudgetGuard(ledger, ledger);
        await guard.SetBudgetAsync(new UserBudget("u", 1, BudgetPeriod.Month), TestContext.Current.CancellationToken);

        using var hold = await context.ReserveBudgetAsync(guard, new CostCalculator(), "u", TestContext.Current.CancellationToken);

        hold.ShouldBeSameAs(BudgetReservation.Unlimited);
    }

    [Fact]
    public async Task ReserveBudgetAsync_MessagesAboveTheBudget_Refused()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, "{}")));
        using var request = HandlerFixture.Messages(HandlerFixture.MessagesBody(maxTokens: 100_000));
        var context = await request.PreparePacerContextAsync(fixture.Limiter, TestContext.Current.CancellationToken);
        var folder = Directory.CreateTempSubdirectory("pacer-context-");
        await using var ledger = await SqliteUsageLedger.OpenAsync(Path.Combine(folder.FullName, "usage.db"), cancellationToken: TestContext.Current.CancellationToken);
        var guard = new BudgetGuard(ledger, ledger);
        await guard.SetBudgetAsync(new UserBudget("u", 1, BudgetPeriod.Month), TestContext.Current.CancellationToken);

        await Should.ThrowAsync<BudgetExceededException>(() => context.ReserveBudgetAsync(guard, new CostCalculator(), "u", TestContext.Current.CancellationToken).AsTask());
    }
}
