using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Dashboard;

namespace Pacer.Gateway.Tests.Dashboard;

public sealed class DashboardSessionsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Authorizes_CookieAndItsCsrfToken_UntilTheLifetimeEnds()
    {
        var sessions = new DashboardSessions(_time);
        var (id, csrf) = sessions.Create();

        sessions.Authorizes(Request(id, csrf)).ShouldBeTrue();
        sessions.CsrfOf(Request(id, null)).ShouldBe(csrf);
        _time.Advance(DashboardSessions.Lifetime - TimeSpan.FromSeconds(1));
        sessions.Authorizes(Request(id, csrf)).ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(1));
        sessions.Authorizes(Request(id, csrf)).ShouldBeFalse();
        sessions.CsrfOf(Request(id, null)).ShouldBeNull();
    }

    [Fact]
    public void Authorizes_CookieWithoutOrWithAnotherSessionsToken_Refused()
    {
        var sessions = new DashboardSessions(_time);
        var (id, _) = sessions.Create();
        var (_, otherCsrf) = sessions.Create();

        sessions.Authorizes(Request(id, null)).ShouldBeFalse();
        sessions.Authorizes(Request(id, otherCsrf)).ShouldBeFalse();
        sessions.Authorizes(Request("made-up-session", otherCsrf)).ShouldBeFalse();
    }

    [Fact]
    public void End_SignedOut_SessionRefused()
    {
        var sessions = new DashboardSessions(_time);
        var (id, csrf) = sessions.Create();

        sessions.End(Request(id, csrf));

        sessions.Authorizes(Request(id, csrf)).ShouldBeFalse();
    }

    [Fact]
    public void Create_SessionsAreRandomAndUnrelated()
    {
        var sessions = new DashboardSessions(_time);
        var a = sessions.Create();
        var b = sessions.Create();

        a.Id.ShouldNotBe(b.Id);
        a.Csrf.ShouldNotBe(b.Csrf);
        a.Id.Length.ShouldBe(43);
    }

    private static HttpRequest Request(string id, string? csrf)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={id}";
        if (csrf is not null)
        {
            context.Request.Headers[DashboardSessions.CsrfHeader] = csrf;
        }

        return context.Request;
    }
}
