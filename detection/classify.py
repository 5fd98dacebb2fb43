"""classify(title, text, lang) -> Detection: is this article about a supply-discipline action?

Scoring in one place: every counted action sentence adds weight (title > lead > body), the
campaign name in the title adds a bonus, expansion news and OPEC+ quota stories subtract.
rule score = 1 - exp(-raw) maps the sum to 0..1. With the learned model (detection/learned)
the score is a weighted mean of the model's probability and the rule score, relevant at the
model file's threshold; without it, relevant when the rule score >= the lexicon's threshold.
The rules' sentences stay the evidence; an article only the model found says why with the
terms that weighed most in the model.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Literal

from detection.attribution import acted_sectors
from detection.figures import find_explicit_month, find_figures, find_month, find_month_hint
from detection.learned.features import tokens as model_tokens
from detection.learned.linear import TextModel
from detection.learned.sectors import SectorEvidence
from detection.learned.sectors import decide as decide_sectors
from detection.learned.stack import ActionEvidence, decide
from detection.learned.store import default_model
from detection.lexicon import Lexicon, Match, load_lexicon
from detection.model import Detection, Evidence, Field
from detection.normalize import detect_lang, normalize
from detection.rules import (
    Hit,
    Sentence,
    anchor,
    expansion_count,
    group_by_sentence,
    is_anchor,
    lead_has_body,
    lifts,
    sectors_of,
    sentence_exclusions,
    sentence_hits,
    split_sentences,
)

KIND_WEIGHT = {"term": 1.0, "pair": 0.8, "policy": 0.6, "issuer": 0.6, "implied": 0.8}
# Action weights where they differ: the campaign name is weak evidence of a directive; a named
# ministry or association stating the action is strong evidence of one.
ACTION_WEIGHT = {"implied": 0.5, "issuer": 1.0}
POLICY = "policy_guideline"
INSPECTION = "inspection"
LIMITS = frozenset({"production_cut", "capacity_exit"})  # what an inspection enforces
ACTION_ORDER = ("production_cut", "capacity_exit", "price_discipline", "inspection")
TITLE_ANTI_BONUS = 0.3
BODY_CAP = 1.6
LEAD_CHARS = 100
SECTOR_SHARE = 0.25
ACTED_SHARE = 0.12  # a sector some action is about, against the main one
PARENTS = {"pv": ("polysilicon", "pv_glass")}  # "光伏产业链的核心——多晶硅" is about polysilicon
ACTION_SHARE = 0.25  # an action counts from this share of the strongest one
POLICY_SHARE = 0.15  # a directive is reported even when the action it orders dominates
EN_SCALE = 2.5  # English needs ~2.5x the characters of Chinese for the same content
SECTORLESS_AFTERTHOUGHT = 0.5
_DIGEST_TITLE = re.compile(
    r"新闻精选|早报|晚报|午报|晨报|夜报|要闻|早餐|盘前必读|速览|一周回顾|周报|汇总|"
    r"news roundup|morning briefing|evening briefing|what to watch|week ahead|digest"
)


class _Field:
    """Matches, sentences and counted hits of one field (title or text)."""

    def __init__(
        self,
        name: Field,
        text: str,
        lex: Lexicon,
        window: int,
        pair_window: int,
        context_excl: frozenset[str] = frozenset(),
        lead_body: bool = False,
        lifted: frozenset[str] = frozenset(),
    ):
        self.name = name
        self.text = text
        self.matches = lex.scan(text)
        self.sentences = split_sentences(text)
        groups = group_by_sentence(self.sentences, self.matches)
        raw: list[Hit] = []
        self.strong_sentences: set[int] = set()
        self.lead_excl = frozenset(sentence_exclusions(groups[0], lex)) if groups else frozenset()
        self.lead_body = lead_has_body(groups, lex)
        self.lead_lifts = lifts(groups[0]) if groups else frozenset()
        for sent, ms in zip(self.sentences, groups, strict=True):
            hits, strong = sentence_hits(
                sent, ms, lex, pair_window, context_excl, lead_body, lifted
            )
            raw.extend(hits)
            if strong:
                self.strong_sentences.add(sent.index)
        anchors = [m for m in self.matches if is_anchor(m, lex)]
        self.hits = anchor(raw, anchors, self.sentences, lex, window)
        self.groups = groups

    def position_weight(self, sent: Sentence, title_empty: bool, scale: float) -> float:
        """Title 1.0; with no title the lead stands in for it; later sentences fade."""
        if self.name == "title":
            return 1.0
        if title_empty and sent.start < LEAD_CHARS * scale:
            return 0.9
        if sent.start < 200 * scale:
            return 0.5
        return 0.3 if sent.start < 1000 * scale else 0.15


def _strip_repeated_title(title: str, text: str) -> str:
    """CLS-style bodies repeat the headline as 【title】; count it once."""
    if title and text.startswith("【" + title):
        return text[len(title) + 1 :].lstrip("】 ")
    if title and text.startswith(title):
        return text[len(title) :].lstrip()
    return text


def normalized_fields(title: str, text: str) -> tuple[str, str]:
    """Normalised title and body (the headline a body repeats counted once): what the rules
    and the learned model both read."""
    t_norm = normalize(title)
    return t_norm, _strip_repeated_title(t_norm, normalize(text))


def classify(
    title: str,
    text: str,
    lang: str | None = None,
    published: datetime | None = None,
    model: TextModel | Literal["default"] | None = "default",
) -> Detection:
    """Pure classification of one article; `published` only dates a bare "7月".
    `model`: the learned model to combine with the rules ("default": the committed one,
    loaded once; None: rules only)."""
    return _classify(title, text, lang, published, model)


def rule_evidence(
    title: str, text: str, lang: str | None = None
) -> tuple[ActionEvidence, SectorEvidence]:
    """What the rules saw of each action and each sector (the stackers' inputs), as if the
    article were relevant (training reads it for every relevant labelled record)."""
    traced: list[tuple[ActionEvidence, SectorEvidence]] = []
    _classify(title, text, lang, None, None, traced)
    return traced[0]


def _classify(
    title: str,
    text: str,
    lang: str | None,
    published: datetime | None,
    model: TextModel | Literal["default"] | None,
    traced: list[tuple[ActionEvidence, SectorEvidence]] | None = None,
) -> Detection:
    lex = load_lexicon()
    t_norm, b_norm = normalized_fields(title, text)
    lang = lang or detect_lang(t_norm + " " + b_norm)
    st = lex.settings
    win = int(st.get("window_zh", 40) if lang == "zh" else st.get("window_en", 120))
    pwin = int(st.get("pair_window_zh", 12) if lang == "zh" else st.get("pair_window_en", 40))
    body = _Field("text", b_norm, lex, win, pwin)
    # The lead usually gives the headline's cause ("受中东局势影响…减产"): share its exclusions.
    fields = [
        _Field("title", t_norm, lex, win, pwin, body.lead_excl, body.lead_body, body.lead_lifts),
        body,
    ]

    raw = 0.0
    body_sum = 0.0
    action_w: dict[str, float] = defaultdict(float)
    sector_w: dict[str, float] = defaultdict(float)  # sectors in reach of an action
    acted_w: dict[str, float] = defaultdict(float)  # the sectors the actions are about
    scored: list[tuple[float, _Field, Sentence]] = []
    strongest: dict[tuple[str, str, str], float] = {}  # (action, field, hit kind) -> weight
    enforcing = False  # a check of an output or capacity limit stated beside it
    for f in fields:
        by_sent: dict[int, list[Hit]] = defaultdict(list)
        for h in f.hits:
            by_sent[h.sentence].append(h)
        for idx, hits in by_sent.items():
            sent = f.sentences[idx]
            pw = f.position_weight(sent, not t_norm, EN_SCALE if lang == "en" else 1.0)
            best = max(KIND_WEIGHT[h.kind] for h in hits)
            strength = pw * (best + 0.2 * (len({h.action for h in hits}) - 1))
            if f.name == "title":
                raw += strength
            else:
                body_sum += strength
            scored.append((strength, f, sent))
            per_action: dict[str, float] = {}
            for h in hits:
                w = pw * KIND_WEIGHT[h.kind]
                aw = pw * ACTION_WEIGHT.get(h.kind, KIND_WEIGHT[h.kind])
                per_action[h.action] = max(per_action.get(h.action, 0.0), aw)
                key = (h.action, f.name, h.kind)
                strongest[key] = max(strongest.get(key, 0.0), pw)
                for s in h.sectors:
                    sector_w[s] += w
                for s in acted_sectors(h, sent, f.matches, f.text, lex, win):
                    acted_w[s] += w
            said = {h.action for h in hits}
            enforcing = enforcing or (INSPECTION in said and bool(said & LIMITS))
            # One sentence names an action once: "停机…控制产量" is not two cuts.
            for a, aw in per_action.items():
                action_w[a] += aw
    raw += min(body_sum, BODY_CAP)
    raw_acted, raw_near = acted_w, sector_w  # the stackers' evidence, built when needed
    if traced is not None:
        traced.append(
            (
                _action_evidence(action_w, strongest, fields, lex),
                _sector_evidence(raw_acted, raw_near, fields, lex),
            )
        )
    if _campaign_in_headline(fields, lang):
        raw += TITLE_ANTI_BONUS
    if not any(h.kind != "policy" for f in fields for h in f.hits):
        raw *= 0.3  # directive words alone: a directive about what?
    if t_norm and not fields[0].hits and not sector_w:
        raw *= SECTORLESS_AFTERTHOUGHT  # a broad plan naming the campaign in passing
    if _DIGEST_TITLE.search(t_norm) and not fields[0].hits:
        raw *= 0.3  # a news round-up: one item among many is not its subject
    raw -= _penalties(fields, lex)
    if _mentions(fields, "opec", head=300):
        raw *= 0.3
    rule_score = round(1.0 - math.exp(-max(raw, 0.0)), 4)
    learned = default_model() if model == "default" else model
    vec: dict[int, float] = {}
    probability: float | None = None
    rules_say = rule_score >= float(st.get("threshold", 0.5))
    if learned is not None and not rules_say and not _on_topic(fields):
        learned = None  # the model could not lift it: not consulted (most of a day's wire)
    if learned is None:
        score = rule_score
        relevant = rules_say
    else:
        vec = learned.vector(model_tokens(t_norm, b_norm))
        probability = round(learned.probability(vec), 4)
        comb = learned.combination
        score = round(comb.model_weight * probability + (1 - comb.model_weight) * rule_score, 4)
        # the rules' alert stands unless the model vetoes it; otherwise the model may lift
        relevant = probability >= comb.veto if rules_say else score >= comb.threshold
    if relevant and not sector_w:
        sector_w = acted_w = _mentioned_sectors(fields, lex)
    if relevant and not action_w and learned is not None and not learned.stack:
        action_w = _model_actions(learned, vec)
    acted_w = _acted_or_standing_in(acted_w, sector_w, fields, lex)
    det = _build(relevant, score, lang, action_w, acted_w, scored, lex, published, enforcing)
    if relevant and acted_w:
        det = replace(det, sectors=_acted_top(acted_w, sector_w))
    if relevant:  # sectors named beside the action but not acted on: context for the reader
        named = _drop_parents(_top(sector_w, SECTOR_SHARE), sector_w)
        det = replace(det, mentioned=tuple(s for s in named if s not in det.sectors))
    if relevant and learned is not None and learned.stack:
        evidence = _action_evidence(action_w, strongest, fields, lex)
        stacked = decide(learned.stack, evidence, learned.actions(vec), det.actions)
        if _named_issuer_orders(evidence) and POLICY not in stacked:
            stacked = (*stacked, POLICY)  # LABELING.md: a named body ordering it is a directive
        det = replace(det, actions=stacked, rule_actions=det.actions)
    elif relevant and learned is not None and det.actions:
        det = replace(det, actions=_refine_actions(det.actions, learned, vec))
    det = replace(det, rule_score=rule_score, model_score=probability)
    if learned is not None and relevant and rule_score < float(st.get("threshold", 0.5)):
        det = _with_model_reason(det, learned, vec, rule_score)
    if det.month is None and published is None:
        det = replace(det, month=find_explicit_month(t_norm + " " + b_norm))
        if det.month is None and relevant:
            det = replace(det, month_hint=find_month_hint(t_norm + " " + b_norm))
    if relevant and learned is not None and learned.sector_cut is not None:
        sector_ev = _sector_evidence(raw_acted, raw_near, fields, lex)
        probs = learned.sectors(vec, sector_ev.candidates())
        chosen = decide_sectors(learned.sector_cut, sector_ev, probs)
        named = _drop_parents(_top(sector_w, SECTOR_SHARE), sector_w) if sector_w else ()
        det = replace(
            det,
            sectors=chosen,
            mentioned=tuple(s for s in named if s not in chosen),
            rule_sectors=det.sectors,
        )
    return det


def _sector_evidence(
    acted_w: dict[str, float], sector_w: dict[str, float], fields: list[_Field], lex: Lexicon
) -> SectorEvidence:
    """The sector stacker's input, computed before relevance is known: the rules' choice as
    if the article were relevant (detection.learned.sectors)."""
    named = _mentioned_sectors(fields, lex)
    near = dict(sector_w) or dict(named)
    acted = _acted_or_standing_in(dict(acted_w), near, fields, lex)
    chosen = _acted_top(acted, near) if acted else ()
    order = tuple(
        dict.fromkeys(
            s
            for f in fields
            for m in sorted(f.matches, key=lambda m: m.start)
            for s in sectors_of(m, lex)
        )
    )
    title = frozenset(s for m in fields[0].matches for s in sectors_of(m, lex))
    return SectorEvidence(_shares(acted), _shares(near), dict(named), title, order, tuple(chosen))


def _acted_or_standing_in(
    acted_w: dict[str, float], sector_w: dict[str, float], fields: list[_Field], lex: Lexicon
) -> dict[str, float]:
    """The sectors the actions are about; when no action names its sector, those named
    before some action stand in (else every sector in reach of one)."""
    if acted_w:
        return acted_w
    before = _named_before_an_action(fields, lex)
    return {s: w for s, w in sector_w.items() if s in before} or sector_w


def _shares(weights: dict[str, float]) -> dict[str, float]:
    top = max(weights.values(), default=0.0)
    return {k: round(w / top, 6) for k, w in weights.items()} if top else {}


def _named_issuer_orders(ev: ActionEvidence) -> bool:
    """A named ministry or association states the action in the sentence that names it
    ("国家能源局启动超产核查", "NEA ordered inspections")."""
    return any(kind == "issuer" and w > 0 for (_, _, kind), w in ev.strongest.items())


def _action_evidence(
    action_w: dict[str, float],
    strongest: dict[tuple[str, str, str], float],
    fields: list[_Field],
    lex: Lexicon,
) -> ActionEvidence:
    kinds = {
        lex.actor_kind.get(v, "")
        for f in fields
        for m in f.matches
        for k, v in m.tags
        if k == "actor"
    }
    return ActionEvidence(_shares(action_w), strongest, frozenset(kinds - {""}))


def _on_topic(fields: list[_Field]) -> bool:
    """The lexicon sees the topic somewhere: an action word other than a bare directive, a
    pair cue, or the campaign. Without one the model may not alert on its own: a model
    trained on a few hundred articles also likes every ministry notice of an ordinary day."""
    for f in fields:
        for m in f.matches:
            for kind, value in m.tags:
                if kind == "anti" or (kind == "action" and value != "policy_guideline"):
                    return True
                if kind == "pair_a" and not value.startswith("policy_guideline"):
                    return True
    return False


def _mentioned_sectors(fields: list[_Field], lex: Lexicon) -> dict[str, float]:
    """Sectors named anywhere (headline counts triple), for an article whose action the
    rules did not see but the model did."""
    weights: dict[str, float] = defaultdict(float)
    for f in fields:
        for m in f.matches:
            for s in sectors_of(m, lex):
                weights[s] += 3.0 if f.name == "title" else 1.0
    return weights


def _model_actions(learned: TextModel, vec: dict[int, float]) -> dict[str, float]:
    """The model's action heads, for an article whose action words the rules did not see:
    every head above the model's action threshold, or the likeliest one."""
    probs = learned.actions(vec)
    if not probs:
        return {"policy_guideline": 1.0}
    keep = {a: p for a, p in probs.items() if p >= learned.combination.action_threshold}
    if keep:
        return keep
    best = max(probs, key=lambda a: (probs[a], a))
    return {best: probs[best]}


def _refine_actions(
    actions: tuple[str, ...], learned: TextModel, vec: dict[int, float]
) -> tuple[str, ...]:
    """The rules name the actions; the model's action heads add one they are sure of (a
    report's second action is often phrased without the lexicon's words)."""
    probs = learned.actions(vec)
    add = learned.combination.action_add
    return actions + tuple(a for a in sorted(probs) if probs[a] >= add and a not in actions)


def _with_model_reason(
    det: Detection, learned: TextModel, vec: dict[int, float], rule_score: float
) -> Detection:
    """An alert the rules alone would not have sent: the model's reason (its probability and
    the terms that weighed most) leads the evidence."""
    reason = Evidence(
        "model",
        f"learned model {det.model_score:.2f} (rules {rule_score:.2f})",
        learned.top_terms(vec, 6),
    )
    return replace(det, evidence=(reason, *det.evidence[:2]))


def _campaign_in_headline(fields: list[_Field], lang: str) -> bool:
    """反内卷 named in the title (or, with no title, in the lead) next to an action."""
    title, body = fields
    if title.text:
        return bool(title.strong_sentences and title.hits)
    lead = LEAD_CHARS * (EN_SCALE if lang == "en" else 1.0)
    return any(
        h.sentence in body.strong_sentences and body.sentences[h.sentence].start < lead
        for h in body.hits
    )


def _penalties(fields: list[_Field], lex: Lexicon) -> float:
    title, body = fields
    pen = 0.7 * min(expansion_count(title.matches, title.text), 2)
    pen += 0.12 * min(expansion_count(body.matches, body.text), 7)
    return pen


def _mentions(fields: list[_Field], excl: str, head: int) -> bool:
    for f in fields:
        for m in f.matches:
            if ("excl", excl) in m.tags and (f.name == "title" or m.start < head):
                return True
    return False


def _top(weights: dict[str, float], share: float, order: tuple[str, ...] = ()) -> tuple[str, ...]:
    if not weights:
        return ()
    best = max(weights.values())
    rank = {a: i for i, a in enumerate(order)}
    keep = [k for k, w in weights.items() if w >= share * best]
    return tuple(sorted(keep, key=lambda k: (-round(weights[k], 6), rank.get(k, 99), k)))


def _build(
    relevant: bool,
    score: float,
    lang: str,
    action_w: dict[str, float],
    sector_w: dict[str, float],
    scored: list[tuple[float, _Field, Sentence]],
    lex: Lexicon,
    published: datetime | None,
    enforcing: bool = False,
) -> Detection:
    scored.sort(key=lambda x: (x[1].name != "title", -x[0], x[2].index))
    evidence: list[Evidence] = []
    actors: list[str] = []
    texts: list[str] = []
    for _, f, sent in scored[:4]:
        ms: list[Match] = f.groups[sent.index]
        terms = tuple(dict.fromkeys(m.term for m in ms if not _only_excl(m)))
        evidence.append(Evidence(f.name, sent.text[:300], terms))
        texts.append(sent.text)
        for m in ms:
            for k, v in m.tags:
                if k == "actor" and lex.actor_kind.get(v) != "generic" and v not in actors:
                    actors.append(v)
    actions = _top(action_w, ACTION_SHARE, ACTION_ORDER) if relevant else ()
    policy_w = action_w.get("policy_guideline", 0.0)
    if relevant and policy_w and policy_w >= POLICY_SHARE * max(action_w.values()):
        actions = tuple(dict.fromkeys((*actions, "policy_guideline")))
    if relevant and enforcing and INSPECTION not in actions:
        # LABELING.md: inspection is a check that enforces an output or capacity limit; one
        # stated in the sentence of the limit it checks is reported however late it comes.
        actions = (*actions, INSPECTION)
    sectors = _drop_parents(_top(sector_w, SECTOR_SHARE), sector_w) if relevant else ()
    if relevant and not sectors:
        sectors = ("other",)
    month = find_month(texts, published)
    figures = find_figures(texts)
    if month and month not in figures:
        figures.append(month)
    return Detection(
        relevant=relevant,
        score=score,
        sectors=sectors,
        actions=actions,
        actors=tuple(actors),
        figures=tuple(figures),
        evidence=tuple(evidence[:3]),
        lang=lang,
        month=month,
    )


def _named_before_an_action(fields: list[_Field], lex: Lexicon) -> set[str]:
    """Sectors of the headline, and those the text names before its last action: a sector
    first named after every action ("…业内人士称，外卖平台…") is an aside, not the subject."""
    title, body = fields
    last = max((h.pos for h in body.hits), default=-1)
    named = {s for m in title.matches for s in sectors_of(m, lex)}
    named.update(s for m in body.matches if m.start < last for s in sectors_of(m, lex))
    return named


def _acted_top(acted_w: dict[str, float], sector_w: dict[str, float]) -> tuple[str, ...]:
    """The sectors acted on: each sector some action is about, when it weighs at least
    ACTED_SHARE of the main one; a parent sector beside a heavier child is dropped."""
    return _drop_parents(_top(acted_w, ACTED_SHARE), sector_w)


def _drop_parents(sectors: tuple[str, ...], weights: dict[str, float]) -> tuple[str, ...]:
    """A general sector named beside a heavier sub-sector is context, not the target."""
    out = list(sectors)
    for parent, children in PARENTS.items():
        if parent in out and any(weights.get(c, 0) >= weights[parent] for c in children):
            out.remove(parent)
    return tuple(out)


def _only_excl(m: Match) -> bool:
    return all(k == "excl" for k, _ in m.tags)
