"""ConText (medspaCy defaults + patterns/context_rules.json) and sections, as flags on
evidence: sentence -> (concept text, the flags that must be set)."""

import pytest

FLAGS = ("negated", "hypothetical", "historical", "family", "uncertain")


def flags_of(screener, text, target):
    from extractor.evidence import doc_evidence

    doc = screener.nlp(text)
    rows = doc_evidence(doc, "P", "N", None, screener.concepts, screener.section_flags, {})
    hits = [ev for ev in rows if ev.text == target]
    assert hits, f"{target!r} not found in {[ev.text for ev in rows]}"
    return {f for f in FLAGS if getattr(hits[0], f)}, hits[0]


@pytest.mark.parametrize("text, target, flags", [
    # negation, including the clinical forms the defaults miss
    ("Rituximab-naive.", "Rituximab", {"negated"}),
    # a history item denied after it; the reach is short, and "denied" before a finding still denies it
    ("Riwayat: keganasan disangkal (history of malignancy denied).", "malignancy", {"negated", "historical"}),
    ("Malignancy denied.", "Malignancy", {"negated"}),
    # a past state answered for today at the end of its clause
    ("Lactancia: amamantó a su hija hasta abril del 2020, actualmente no.", "amamantó", {"negated", "historical"}),
    ("Inmunología valoraría IgIV sustitutiva; de momento no.", "IgIV", {"negated", "hypothetical"}),
    ("Valoración: respuesta parcial a los cinco meses, lejos de la respuesta completa.", "respuesta completa", {"negated"}),
    ("Her SLEDAI-2K at baseline was 16.", "SLEDAI-2K", {"historical"}),
    # under a family-history header, a mention that names the patient's own history is hers
    ("FAMILY HISTORY:\nMother breast cancer. No antecedentes personales de neoplasia.\n", "antecedentes personales de neoplasia", {"negated"}),
    ("Belimumab (Benlysta) as add-on was discussed; decision after the 3-month evaluation.", "Benlysta", {"hypothetical"}),
    ("Vacuna antineumocócica: sigue rechazándola.", "Vacuna antineumocócica", {"negated"}),
    ("- Influenza 2024-25 offered; pt declines (\"I do not do flu shots\").", "Influenza", {"negated", "hypothetical"}),
    ("We would add belimumab and she will be considered for suitable research studies.", "research studies", {"hypothetical"}),
    ("Solicita esterilización tubárica. Se explica la salpinguectomía bilateral laparoscópica (irreversible).",
     "salpinguectomía bilateral", {"hypothetical"}),
    ("Pre-biologic screening bloods today in case she needs rituximab/belimumab later.", "belimumab", {"hypothetical"}),
    ("Entecavir protects the liver if we need more rituximab in the future.", "rituximab", {"hypothetical"}),
    ("The virus can wake up with strong immune-suppressing drugs like rituximab.", "rituximab", {"hypothetical"}),
    # a booking for a procedure is not the procedure
    ("Contraception: still only condoms; appointment with the gynaecologist for a copper IUD on 02.04.2025.", "copper IUD", {"hypothetical"}),
    ("- Derivación a Cirugía para colecistectomía laparoscópica electiva.", "colecistectomía laparoscópica", {"hypothetical"}),
    ("Colecistectomía, a programar tras la inducción.", "Colecistectomía", {"hypothetical"}),
    ("Baseline SLEDAI-2K 16 (05/2024).", "SLEDAI-2K", {"historical"}),
    ("Remisión: valoración para belimumab y/o inclusión en estudio clínico.", "estudio clínico", {"hypothetical"}),
    # a drug asked of the insurer is not given yet
    ("Pendientes: se pidió belimumab a la obra social; pendiente autorización.", "belimumab", {"hypothetical"}),
    ("Se ha solicitado rituximab por uso compasivo.", "rituximab", {"hypothetical"}),
    ("She denied any cancer.", "cancer", {"negated"}),
    ("She received rituximab in 2023, pregnancy and smoking denied.", "rituximab", set()),
    # an option once raised and then set aside; screening for a trial; a plan left to consider
    ("El belimumab que se planteó en diciembre se desestima.", "belimumab", {"negated", "hypothetical"}),
    ("CHECKLIST (cribado para ensayo clínico / posible retratamiento)", "ensayo clínico", {"hypothetical"}),
    ("Add-on belimumab (BLISS-LN) to be considered.", "belimumab", {"hypothetical"}),
    ("Sin otros antecedentes oncológicos familiares.", "antecedentes oncológicos", {"negated", "family"}),
    ("Background SOC per protocol: MMF. Prohibited: rituximab, belimumab.", "belimumab", {"hypothetical"}),
    ("Rituximab remains the alternative if she is not eligible.", "Rituximab", {"hypothetical"}),
    ("Pt leaning toward belimumab - will submit PA.", "belimumab", {"hypothetical"}),
    ("Vacunación: gripe registrada; frente a Haemophilus influenzae no figura en el registro.", "Haemophilus influenzae", {"uncertain"}),
    ("No history of organ transplant; she has never been evaluated for a kidney transplant.", "kidney transplant", {"negated"}),
    ("Nunca se ha vacunado frente a neumococo ni frente a Haemophilus influenzae.", "neumococo", {"negated"}),
    ("Valoración de candidatura al ensayo clínico de fase II con anifrolumab.", "ensayo clínico", {"hypothetical"}),
    ("4. Correction: the ward round entry of 30 May 2024 recorded prednisone 60 mg in error.", "prednisone", {"negated"}),
    ("Transplant: none (the kidney transplant in the family was her uncle's, mother donated).", "Transplant", {"negated"}),
    ("Labs: ANA 1:640 speckled. Anti-Sm neg, C3 52.", "Anti-Sm", {"negated"}),
    ("C3 52, C4 6. Anti-dsDNA still negative.", "Anti-dsDNA", {"negated"}),
    ("- induction: IV MP 500 mg 12/4-12/6/24, then pred 50 mg; no MMF/CYC (breastfeeding).", "breastfeeding", set()),
    ("There isn't enough information about it in breastfeeding, so we are holding off on that.", "breastfeeding", set()),
    ("P: Sol·licitada analítica amb QuantiFERON i serologia VHB completa abans de la rebiòpsia.", "rebiòpsia", {"hypothetical"}),
    ("Aparece proteinuria: se descarta que sea solo un lupus inducido: LES.", "LES", set()),
    ("- Contraception: Nexplanon insertion booked at the sexual health clinic for 27/03/2025.", "Nexplanon", {"hypothetical"}),
    ("Contraception was discussed; she would like a Nexplanon implant and has the clinic details.", "Nexplanon", {"hypothetical"}),
    ("We discussed family history again as his father is now on the transplant waiting list for a second kidney.", "transplant waiting list", {"family"}),
    ("Se le ha ofrecido participar en un ensayo clínico con obinutuzumab; la paciente prefiere no participar.", "obinutuzumab", {"hypothetical"}),
    ("Vacunada de la gripe. Pendiente la vacuna frente a Haemophilus influenzae tipo b.", "vacuna frente a Haemophilus influenzae tipo b", {"hypothetical"}),
    ("AF: Tía materna con LES. Pai con cancro de colon aos 61 anos.", "cancro", {"family", "historical"}),
    ("Antecedentes: non-Hodgkin lymphoma 2010.", "non-Hodgkin lymphoma", set()),
    ("Plan: valorar opciones de rescate; se comentará en sesión la posibilidad de ensayo clínico.", "ensayo clínico", {"hypothetical"}),
    ("Plan anestésico: anestesia general. Suspender candesartán 24 h antes.", "Suspender", {"hypothetical"}),
    ("- No candidata al ensayo de células mesenquimales por respuesta renal completa.", "respuesta renal completa", set()),
    ("Padre fallecido a los sesenta y ocho años por cáncer de páncreas.", "cáncer", {"family"}),
    ("- Kidney biopsy now scheduled 12/05/2024 (IR) to define class.", "Kidney biopsy", {"hypothetical"}),
    ("We can talk about the flu jab on Tuesday - it's your choice.", "flu jab", {"hypothetical"}),
    ("Told pt she is up to date for these, no flu shot needed again this season.", "flu shot", {"negated", "hypothetical"}),
    ("Revisió del calendari vacunal: consten VNC20 i antigripal; manca la vacuna d'Haemophilus influenzae tipus b.", "Haemophilus influenzae tipus b", {"uncertain"}),
    ("Citas pendientes: Medicina Preventiva (vacuna Hib) 10/12/24; Nefrología 12/12/24.", "vacuna Hib", {"hypothetical"}),
    ("Pt is NOT currently in any drug study.", "in any drug study", {"negated"}),
    ("Motivo: validación farmacéutica previa al pre-screening de ensayo clínico.", "ensayo clínico", {"hypothetical"}),
    ("Hold belimumab while the Veteran is pre-screened for an MSC research protocol.", "research protocol", {"hypothetical"}),
    ("Protocol: Euro-Lupus CYC 500 mg q2w x6", "CYC", set()),  # a treatment protocol, not a study's
    ("Sin antecedentes de trasplante de órgano sólido; en 2019 se desestimó el TPH autólogo.", "TPH", {"negated"}),
    ("Madre de 51 años, intervenida de cáncer de mama en 2015.", "cáncer de mama", {"family"}),
    ("Irmão mais novo transplantado renal em 2019 (doença renal poliquística).", "transplantado renal", {"family"}),
    ("Counselled about the risk of premature menopause with cyclophosphamide.", "menopause", {"hypothetical"}),
    ("I am appealing the 11/04/2024 denial of belimumab for my patient.", "belimumab", {"hypothetical"}),
    ("Interval: Benlysta appeal denied 12/12 (again citing missing bx report).", "Benlysta", {"hypothetical"}),
    ("TAR/prior auth for rituximab (request 05/2024) was denied by the plan.", "rituximab", {"hypothetical"}),
    ("Rheum suggested belimumab but not obtainable (coverage).", "belimumab", {"hypothetical"}),
    ("NL proliferativa persistente a pesar de MMF y rituximab.", "rituximab", {"historical"}),
    ("He is on the waiting list for right total hip replacement (no date yet).", "hip replacement", {"hypothetical"}),
    ("PRIMERA CONSULTA - Valoración para ensayo clínico (MSC alogénicas en NL)", "ensayo clínico", {"hypothetical"}),
    ("Plano: referenciar para avaliação de inclusão no ensaio de células mesenquimais.", "inclusão no ensaio", {"hypothetical"}),
    ("Lo de belimumab se decidirá al terminar la ciclofosfamida.", "belimumab", {"hypothetical"}),
    ("Se le recomienda completar la vacuna frente a Haemophilus influenzae tipo b.",
     "vacuna frente a Haemophilus influenzae tipo b", {"hypothetical"}),
    ("Pendiente completar vacunación: Hib.", "Hib", {"hypothetical"}),
    ("Completó la vacunación frente a Hib en 2023.", "Hib", set()),
    # a request still waiting, a test done before a drug, an alternative named with a colon
    ("The belimumab request remains on hold until the decision of the trial team.", "belimumab", {"hypothetical"}),
    ("The rituximab request was denied by the insurer.", "rituximab", {"hypothetical"}),
    ("The rituximab request was approved and she received 1 g on 03/02.", "rituximab", set()),
    ("Hepatitis B serologies (drawn 02/03/2025, pre-rituximab/pre-biopsy screening):", "rituximab", {"hypothetical"}),
    ("- Alternativa: rituximab se não houver resposta até ao fim do ano.", "rituximab", {"hypothetical"}),
    ("Options: continue MPA and add a CNI (tacrolimus), or obinutuzumab.", "obinutuzumab", {"hypothetical"}),
    ("Continue the current treatment; Mabthera is not added now because of the move.", "Mabthera", {"negated"}),
    ("Last seen 01/09/2025. Benlysta was approved on appeal on 04/02/2025.", "Benlysta", {"hypothetical"}),
    ("| 03/03/2025 | Appeal letter for belimumab |", "belimumab", {"hypothetical"}),
    ("Hib vaccine has never been given to her.", "Hib vaccine", {"negated"}),
    # French (Québec): elisions are words of their own, lists denied at their head, field answers
    ("Jamais reçu d'IgIV.", "IgIV", {"negated"}),
    # the reasons after "no candidata:" are affirmed; the candidacy itself is still denied
    ("Por ahora no candidata: lactancia activa y antecedente de carcinoma de tiroides.", "lactancia", set()),
    ("No candidata a trasplante renal.", "candidata a trasplante renal", {"negated"}),
    ("N'allaite pas.", "allaite", {"negated"}),
    ("jamais de rituximab, de bélimumab, d'abatacept ni d'anti-TNF.", "abatacept", {"negated"}),
    ("Toujours naïve de tout agent biologique.", "agent biologique", {"negated"}),
    ("Études cliniques : aucune participation antérieure ou actuelle à une étude clinique.", "étude clinique", {"negated"}),
    ("Greffe : jamais greffé; pas candidat à une greffe rénale.", "candidat à une greffe rénale", {"negated"}),
    ("Usager informé que le Hib est recommandé sous immunosuppression.", "Hib", {"hypothetical"}),
    ("IgG 540 mg/dL; si presenta infecciones recurrentes se evaluará reposición con inmunoglobulina EV.",
     "inmunoglobulina EV", {"hypothetical"}),
    ("Lupus nephritis with no response to 6 months of NIH cyclophosphamide induction.", "cyclophosphamide", set()),
    ("Lupus nephritis with no response to 6 months of NIH cyclophosphamide induction.", "no response", set()),
    ("She has never been given intravenous or subcutaneous immunoglobulin.", "subcutaneous immunoglobulin", {"negated"}),
    ("Refiere que no quiere vacunarse de la gripe.", "gripe", {"negated"}),
    ("Prevenar 20 administrado; no quiere vacunarse de la gripe.", "Prevenar", set()),
    ("Copper IUD (Nova-T) 2019-2022, removed before the pregnancy.", "Copper IUD", {"historical"}),
    ("IgG 5,4 g/l, no infections; no immunoglobulin substitution given.", "immunoglobulin substitution", {"negated"}),
    # Spanish options told or left to discuss, a device taken out, a pseudo-negation before a colon
    ("Le informamos de un ensayo clínico con obinutuzumab; se lo pensará.", "obinutuzumab", {"hypothetical"}),
    ("Alternativa a discutir en la próxima sesión: añadir obinutuzumab.", "obinutuzumab", {"hypothetical"}),
    ("DIU de cobre retirado en febrero de 2023 por deseo gestacional.", "DIU de cobre", {"historical"}),
    ("IUD removed in 2023.", "IUD", {"historical"}),
    ("IUD removal in 2023.", "IUD", {"historical"}),
    ("Se explican las opciones de alta eficacia: DIU de cobre, DIU de levonorgestrel e implante.", "DIU de levonorgestrel", {"hypothetical"}),
    ("Lactancia materna durante 9 meses tras el parto; actualmente no lacta.", "Lactancia materna", {"historical"}),
    ("Con LES y anticuerpos antifosfolípido negativos, se desaconsejan los estrógenos.", "LES", set()),
    ("Vacuna anti-Haemophilus influenzae b nunca recibida.", "Haemophilus influenzae b", {"negated"}),
    ("Le quitaron el implante (Implanon) en noviembre.", "Implanon", {"historical"}),
    ("Registro cardiotocográfico no tranquilizador, se realiza cesárea urgente.", "cesárea", set()),
    ("Preguntan si en el futuro podría necesitar un trasplante de riñón.", "trasplante de riñón", {"hypothetical"}),
    ("Hib/MenC status to be confirmed by GP.", "Hib", {"hypothetical"}),
    ("Outdated CellCept and Benlysta entries removed from the active list today.", "Benlysta", {"historical"}),
    ("Hepatitis B infection resolved.", "Hepatitis B infection", {"historical"}),
    ("Cirugías: solo la apendicectomía de los 12 años.", "apendicectomía", {"historical"}),
    ("Su padre falleció a los 62 años por un cáncer de colon.", "cáncer", {"family"}),
    ("No se han usado micofenolato ni ciclofosfamida por la lactancia.", "lactancia", set()),  # a cause
    ("Sin riesgo de embarazo: ligadura de trompas en 2015.", "ligadura de trompas", set()),
    ("Flu vaccine declined.", "Flu vaccine", {"negated"}),
    ("Patient declined the flu shot.", "flu shot", {"negated"}),
    # a refusal after 'but' or a semicolon points back to what was offered; with an object it does not
    ("Flu vaccine offered, but patient declined.", "Flu vaccine", {"negated", "hypothetical"}),
    ("Pneumovax recommended; she refused it.", "Pneumovax", {"negated", "hypothetical"}),
    ("Influenza vaccine was offered but declined\nPlan: labs.", "Influenza vaccine", {"negated", "hypothetical"}),
    ("Se ofrece vacuna antineumocócica pero la rechaza.", "vacuna antineumocócica", {"negated", "hypothetical"}),
    ("Flu vaccine given today but declined the Hib vaccine.", "Flu vaccine", set()),
    ("We discussed the Hib vaccine; after discussion she declined it.", "Hib vaccine", {"negated", "hypothetical"}),
    ("Flu vaccine given; she declined Pneumovax.", "Flu vaccine", set()),
    # a table row answered in its next cell; 'not asked' is no answer
    ("Abatacept / TNFi       | never had abatacept (Orencia) or any TNF inhibitor | phone", "TNFi", {"negated"}),
    ("IVIG/SCIG              | not asked -- ADD TO V0 CHECKLIST | --", "IVIG", {"uncertain"}),
    ("If the kidney numbers do not improve we could add rituximab or belimumab.", "belimumab", {"hypothetical"}),
    ("You told us you are not breastfeeding and that your Nexplanon is still in your left arm.", "Nexplanon", set()),
    ("I mentioned a research study for lupus kidney disease that has not responded.", "research study", {"hypothetical"}),
    ("Alternativas: añadir Lupkynis o Benlysta; MabThera quedaría para más adelante.", "MabThera", {"hypothetical"}),
    ("Opciones planteadas: (a) añadir Benlysta IV; (b) añadir Lupkynis.", "Benlysta", {"hypothetical"}),
    ("Haemophilus influenzae tipo b: se le ofreció y no quiso ponérsela.", "Haemophilus influenzae tipo b", {"negated"}),
    ("Sigue con lactancia materna (bebe de 8 meses), no desea destetar todavia.", "lactancia materna", set()),
    ("LN class IV-S refractory to cyclophosphamide, MMF and rituximab.", "rituximab", {"historical"}),
    ("Withdrawn for lack of efficacy and the last dose of study medication was taken on 02/09/2024.", "study medication", set()),
    ("Clinical trial (oral BTK inhibitor vs placebo, double-blind): randomised 19/03/2024.", "Clinical trial", set()),
    ("She was enrolled in the BLISS-LN study in 2019 (belimumab vs placebo).", "belimumab", {"uncertain"}),
    ("Belimumab is not being restarted for now.", "Belimumab", {"hypothetical"}),
    ("Rituximab would be reconsidered only if she cannot enter the trial.", "Rituximab", {"hypothetical"}),
    ("She was in a placebo-controlled trial of an oral investigational product.", "placebo-controlled", {"historical"}),
    ("Her brother, who had been on dialysis, received a deceased-donor kidney transplant in 2018.", "kidney transplant", {"family", "historical"}),
    ("2) Benlysta (belimumab) is a medicine Dr. C may add later.", "Benlysta", {"hypothetical"}),
    ("Continue MMF 1 g BID, may add belimumab.", "MMF", set()),
    ("Some lady from insurance called about benlysta.", "benlysta", {"hypothetical"}),
    # Spanish habits in English written by Spanish clinicians
    ("An eventual treatment with RTX or belimumab was commented by the committee.", "belimumab", {"hypothetical"}),
    ("RTX remains as eventual rescue if there is no response.", "RTX", {"hypothetical"}),
    ("She was offered to participate in the obinutuzumab trial, but she rejected it.", "obinutuzumab", {"negated"}),
    ("Trasplantes: ninguno.", "Trasplantes", {"negated"}),
    ("Tampoco otros biológicos (abatacept, anti-TNF).", "abatacept", {"negated"}),
    ("Without antecedents of neoplasia (his father had colon cancer at 70).", "neoplasia", {"negated"}),
    # a vaccine still to come or of unclear status is neither given nor refused
    ("Vacunación (Prevenar 20 + Hib reprogramadas al 05/02): comprobar en SIV si se administraron.", "Hib", {"hypothetical"}),
    ("| Haemophilus influenzae type b | appointment given for 19/12/2024 (pending) |", "Haemophilus influenzae type b", {"hypothetical"}),
    ("Hib: status unclear -- pt thinks she may have had it.", "Hib", {"uncertain"}),
    (" HAEMOPHILUS INFLUENZAE TIPO B   INDICADA POR INMUNOSUPRESION   PENDIENTE DE CITA", "HAEMOPHILUS INFLUENZAE TIPO B", {"hypothetical"}),
    ("Indication: SLE w/ clinical LN, partial response to induction, class unknown", "partial response", set()),
    ("Curatela representativa since 2023. There is no other guardianship or advance directive.", "guardianship", set()),
    ("No other biologics.", "biologics", {"negated"}),
    ("She lives with her partner and will sign the consent by herself.", "sign the consent by herself", set()),
    ("Abatacept was proposed in 2021 for the arthritis but it was never administered.", "Abatacept", {"hypothetical", "negated"}),
    ("Abatacept was proposed in 2021 for the arthritis but it was never administered.", "arthritis", set()),
    ("He has never received substitutive immunoglobulins.", "substitutive immunoglobulins", {"negated"}),
    ("No oncological antecedents: the cervical lesion of 2021 was a CIN 2.", "oncological antecedents", {"negated"}),
    # not recorded is neither given nor refused
    ("I could not find any record of a Hib/MenC vaccine.", "Hib", {"uncertain"}),
    ("Haemophilus influenzae tipo b: no consta en su historia de vacunas.", "Haemophilus influenzae tipo b", {"uncertain"}),
    ("No history of TB but declined rituximab.", "TB", {"negated"}),
    ("No other biologics.", "biologics", {"negated"}),
    ("Never received IVIG.", "IVIG", {"negated"}),
    ("Not a transplant candidate.", "transplant candidate", {"negated"}),
    ("Not enrolled in any clinical trial.", "enrolled in any clinical trial", {"negated"}),
    ("Denies history of cancer.", "cancer", {"negated", "historical"}),
    ("She is not breastfeeding.", "breastfeeding", {"negated"}),
    ("Repeat renal biopsy programmed for July 2025.", "Repeat renal biopsy", {"hypothetical"}),
    ("Proposed subdermal implant of etonogestrel (Implanon NXT) or DIU-LNG (Mirena).", "Mirena", {"hypothetical"}),
    ("Benlysta would be an option to add when she finishes the lactation.", "Benlysta", {"hypothetical"}),
    ("Rituximab was proposed at the MDT.", "Rituximab", {"hypothetical"}),
    ("SLEDAI-2K will be recalculated when the complement and anti-DNA results arrive.", "anti-DNA", {"hypothetical"}),
    ("Anti-dsDNA results are back: positive 1/320.", "Anti-dsDNA", set()),
    ("Dr. Okonkwo has floated belimumab if we're not at least a partial response by Feb.", "belimumab", {"hypothetical"}),
    # a form answered in words; 'not tolerated' says the drug was given
    ("Clinical trial participation: Not enrolled in any interventional study.", "Clinical trial", {"negated"}),
    ("Biologics: never rituximab or belimumab.", "belimumab", {"negated"}),
    ("MMF: not tolerated (GI).", "MMF", set()),
    ("Hib vaccine: never received - not covered by her plan.", "Hib vaccine", {"negated"}),
    ("Contraception: reviewed LARC (LNG-IUD, copper IUD, Nexplanon), POPs, DMPA.", "DMPA", {"hypothetical"}),
    ("Reviewed labs: anti-dsDNA positive.", "anti-dsDNA", set()),
    ("She asked about clinical trials; she is not taking part in any research study.", "clinical trials", {"hypothetical"}),
    ("Hib (Act-HIB)          | NOT YET GIVEN - recommended, plan to give at next visit", "Hib", {"hypothetical"}),
    ("Obinutuzumab study: screen-failed 2025-02-20, never dosed.", "Obinutuzumab", {"negated"}),
    ("She did not qualify for the belimumab trial.", "belimumab", {"negated"}),
    ("Pregnancy / breastfeeding ........ N/A - postmenopausal since age 51", "breastfeeding", {"negated"}),
    ("En enero se le ofreció participar en un ensayo clínico con anifrolumab; prefirió no participar.", "ensayo clínico", {"hypothetical"}),
    ("Para firmar el consentimiento de un ensayo clínico será necesaria la curadora.", "ensayo clínico", {"hypothetical"}),
    ("Prefirió no participar, por lo que no está incluida en ningún ensayo.", "ensayo", {"negated"}),
    ("Former belimumab user, now off biologics.", "belimumab", {"historical"}),
    ("Pneumococcal: no record in state IIS → PCV20 (Prevnar 20) 0.5 mL IM given 9/22.", "PCV20", set()),
    ("Flu shot not yet avail on unit - pt to get outpt in Oct.", "Flu shot", {"hypothetical"}),
    ("Vaccines: Pneumovax 2021 ✓, Hib — never had one, declined it again today.", "Hib", {"negated"}),
    ("Vaccines: Pneumovax 2021 ✓, Hib — never had one, declined it again today.", "Pneumovax", set()),
    ("Hib: still not given per GP", "Hib", {"negated"}),
    ("Ø h/o organ transplant.", "organ transplant", {"negated"}),
    ("Ø fevers, Ø rash, Ø new joint sx. Nexplanon still in (placed 2022).", "Nexplanon", set()),  # one item each
    ("TRATADA CON MMF/MPS + PDN + BELIMUMAB (SUSPENDIDO).", "BELIMUMAB", {"historical"}),
    ("Treated with MMF + belimumab (stopped).", "belimumab", {"historical"}),
    ("NAIVE A RITUXIMAB Y A BELIMUMAB.", "BELIMUMAB", {"negated"}),
    ("- LACTANCIA: SE RETIRA LA LACTANCIA MATERNA POR EL MMF.", "LACTANCIA MATERNA", {"historical"}),
    ("Dolores has never had any form of cancer herself.", "cancer", {"negated"}),
    ("Clinical trials: no prior or current clinical-trial participation.", "clinical-trial", {"negated"}),
    ("anti-HBs 212 IU/L: pattern of resolved (past) HBV infection with immunity.", "HBV infection", {"historical"}),
    ("Daughter 3 yrs - not breastfeeding now.", "breastfeeding", {"negated"}),  # the child nursed is no experiencer
    ("Pt reports she stopped nursing in June.", "nursing", {"historical"}),
    ("Her sister is breastfeeding.", "breastfeeding", {"family"}),
    ("ANA negative.", "ANA", {"negated"}),
    ("Malignancy: none", "Malignancy", {"negated"}),
    # lab results are values, not negations
    ("HIV 1/2 Ab: non-reactive.", "HIV 1/2 Ab", set()),
    ("QuantiFERON negative.", "QuantiFERON", set()),
    # planned / ordered / conditional
    ("Will consider rituximab if no response.", "rituximab", {"hypothetical"}),
    ("The study drug is to be stopped and prednisone started.", "prednisone", {"hypothetical", "historical"}),
    ("Plan: prednisone 60 mg daily to start once the team confirms.", "prednisone", {"hypothetical"}),
    ("Plan: add mycophenolate mofetil after 2 weeks.", "mycophenolate mofetil", {"hypothetical"}),
    ("MMF was added in 2023.", "MMF", set()),
    ("Candidate for add-on therapy / clinical trial review.", "clinical trial", {"hypothetical"}),
    # a result word is the result of the analyte just before it, not of an illness further back
    ("Papillary thyroid carcinoma 2014 -> total thyroidectomy + RAI (2014), surveillance Tg undetectable.",
     "carcinoma", set()),
    ("HIV infection, viral load undetectable.", "HIV infection", set()),  # an undetectable load is not cure
    ("FINAL REPORT (supersedes preliminary report of 09/11/2024)", "preliminary report", {"historical"}),
    ("Rituximab-naive. RTX is an option if refractory.", "RTX", {"hypothetical"}),
    ("Contraception: counseling done; plans Nexplanon at OB visit in April.", "Nexplanon", {"hypothetical"}),
    ("Gallstones: lap cholecystectomy planned, date not set.", "cholecystectomy", {"hypothetical"}),
    ("Belimumab has not been started and will only be started if approved.", "Belimumab", {"negated"}),
    ("Breastfeeding until 03/2017, not since.", "Breastfeeding", {"negated", "historical"}),
    ("SLEDAI-2K 4 (low complement 2) - vs 12 in 2023.", "SLEDAI-2K", set()),   # a comparison, not a differential
    # French typed without accents, and refusals in translated notes
    ("La vaccination antigrippale a ete proposee et refusee par la patiente.", "vaccination antigrippale",
     {"negated", "hypothetical"}),
    ("Rituximab envisage en cas d'echec.", "Rituximab", {"hypothetical"}),
    ("Lupus induit juge peu probable.", "Lupus induit", {"uncertain"}),
    ("Grippeimpfung abgelehnt.", "Grippeimpfung", {"negated"}),
    ("Histology: reactive hyperplasia, kein Anhalt fuer Lymphom.", "Lymphom", {"negated"}),   # "für" typed "fuer"
    ("Contraception: still condoms only - counselling repeated, appointment gyn for IUD.", "IUD", {"hypothetical"}),
    # "-naive" names the drug just before it, not a topic label further back
    ("Biologics: the patient is MabThera-naive.", "Biologics", set()),
    ("Rituximab and belimumab naive.", "Rituximab", {"negated"}),
    ("Lupus nephritis vs drug-induced lupus.", "Lupus nephritis", {"uncertain"}),
    # giving one's own history is no history
    ("Pt gives her own history and makes her own decisions.", "makes her own decisions", set()),
    # a drug named again in brackets shares its context
    ("Discussed about Inj. Reditux (rituximab) as add-on therapy.", "rituximab", {"hypothetical"}),
    ("Never received abatacept (Orencia).", "Orencia", {"negated"}),
    ("Renal biopsy scheduled for next week.", "Renal biopsy", {"hypothetical"}),
    ("Scheduled for renal biopsy.", "renal biopsy", {"hypothetical"}),
    ("QuantiFERON ordered.", "QuantiFERON", {"hypothetical"}),
    ("Pneumococcal vaccine recommended.", "Pneumococcal vaccine", {"hypothetical"}),
    ("Plan to start belimumab.", "belimumab", {"hypothetical"}),
    # history
    ("History of papillary thyroid carcinoma.", "carcinoma", {"historical"}),
    ("Was breastfeeding in the past.", "breastfeeding", {"historical"}),
    ("Stopped breastfeeding in 2021.", "breastfeeding", {"historical"}),
    # an onset more than 14 days back is history; the length of the present illness is not
    ("Pulmonary TB 3 years ago, treated with RIPE.", "Pulmonary TB", {"historical"}),
    ("Melanoma excised from the back two years ago.", "Melanoma", {"historical"}),
    ("32 yo F with SLE dx 2022 (oral ulcers, ANA 1:640), moved here from out of state 3 wk ago.", "SLE", set()),
    ("Her lupus has been busy over the last year.", "lupus", set()),
    ("No rituximab in the past 12 months.", "rituximab", {"negated"}),
    ("Hodgkin lymphoma at age 19.", "Hodgkin lymphoma", {"historical"}),
    # a reason or a new subject ends a negation's reach: what is declined is the drug, not the disease
    ("She declined rituximab as she had tuberculosis in 2019.", "tuberculosis", set()),
    ("No belimumab due to latent tuberculosis.", "latent tuberculosis", set()),
    ("Rituximab was not given because of active tuberculosis.", "active tuberculosis", set()),
    ("Rituximab was not given because of active tuberculosis.", "Rituximab", {"negated"}),
    ("Refused cyclophosphamide for her lupus nephritis.", "lupus nephritis", set()),
    ("No rituximab, positive for tuberculosis exposure.", "tuberculosis", set()),
    ("No chest pain since the pericarditis episode in 2021.", "pericarditis", set()),
    ("Ramipril 2.5 mg/day due to cough.", "Ramipril", set()),  # "due" (a plan) is not "due to"
    ("ROS is -ve for fever, tuberculosis or weight loss.", "tuberculosis", {"negated"}),
    ("MMF and cyclophosphamide were avoided while breastfeeding.", "MMF", {"negated"}),
    ("Keen to continue breastfeeding, so MMF was avoided.", "breastfeeding", set()),
    ("Rituximab withheld given HBV.", "Rituximab", {"negated"}),
    ("She has had no further seizures.", "seizures", {"negated"}),
    ("No further anti-TNF therapy.", "anti-TNF therapy", {"negated"}),
    # a new clause with "we" ends the reach of an if-clause's negation
    ("If she has not achieved a renal response at six months we will consider rituximab.", "rituximab",
     {"hypothetical"}),
    ('Contraception: declined IUD/implant/pills, "we\'ll use condoms".', "condoms", set()),
    # a second terminator still limits a scope a first one narrowed (medspaCy 1.3.1 missed containment)
    ("Given the drug link, we consider this drug-induced lupus; SLE has been ruled out.", "drug-induced lupus",
     {"hypothetical"}),
    ("Cholecystectomy still planned for May.", "Cholecystectomy", {"hypothetical"}),
    # "completed" reaches a few words either way: the course it closes, not the next one
    ("Known case of pulmonary Koch's, completed ATT in 2015.", "ATT", {"historical"}),
    ("Pulmonary TB, treatment completed 2019.", "Pulmonary TB", {"historical"}),
    ("She completed six doses of Euro-Lupus cyclophosphamide and has been on mycophenolate mofetil since.",
     "mycophenolate mofetil", set()),
    ("Breastfeeding as a teenager, first child.", "Breastfeeding", {"historical"}),
    ("Cervical cancer last year, conization.", "cancer", {"historical"}),
    ("HBV infection diagnosed 4 weeks ago.", "HBV infection", {"historical"}),
    ("HBV infection diagnosed 2 weeks ago.", "HBV infection", set()),
    ("A 3-day history of cough; sputum positive for tuberculosis.", "tuberculosis", set()),
    ("Two-week history of fever and TB on sputum smear.", "TB", set()),
    ("History of TB; now complains of hemoptysis and pulmonary TB is suspected.", "pulmonary TB", {"uncertain"}),
    # plans and options are not treatment given; a cured or historical-only disease is history
    ("Rituximab-naive; keep RTX as an option later.", "RTX", {"hypothetical"}),
    ("IVIG not indicated at present.", "IVIG", {"hypothetical"}),  # a plan, not a history of none
    ("Steroids deferred until the biopsy.", "Steroids", {"hypothetical"}),
    ("Choice between IV cyclophosphamide and rituximab after the biopsy.", "rituximab", {"hypothetical"}),
    ("Never rituximab.", "rituximab", {"negated"}),
    ("Follow-up: General Surgery clinic re cholecystectomy.", "cholecystectomy", {"hypothetical"}),
    ("Hib: pt unsure whether she ever had it.", "Hib", {"uncertain"}),
    ("Pulmonary TB 2014, declared cured.", "Pulmonary TB", {"historical"}),
    ("Pulmonary Koch's in 2014 - took ATT x 6 months under RNTCP\n  (Cat I), declared cured.", "Pulmonary Koch's", {"historical"}),
    ("CXR: fibrotic strands - old healed Koch's; no fresh infiltrate.", "Koch's", {"historical"}),
    ("Rituximab 2015 (historical only).", "Rituximab", {"historical"}),
    # family and other people
    ("Mother had breast cancer.", "cancer", {"family"}),
    ("Her sister received a kidney transplant.", "kidney transplant", {"family"}),
    ("Husband had a vasectomy; she uses no other method.", "Husband had a vasectomy", set()),
    # uncertainty
    ("Rule out SLE.", "SLE", {"uncertain"}),
    ("Possible lupus nephritis.", "lupus nephritis", {"uncertain"}),
    # a trigger shut inside a parenthesis does not reach past it; one outside reaches across it
    ("52M w/ discoid lupus (no SLE per rheum), h/o Hodgkin lymphoma.", "Hodgkin lymphoma", {"historical"}),
    ("dsDNA (Crithidia) negative.", "dsDNA", {"negated"}),
    # affirmed
    ("Received rituximab 1 g IV on 2024-01-10.", "rituximab", set()),
    ("Partial renal response after 6 months of MMF.", "Partial renal response", set()),
    ("No response to induction with MMF.", "No response", set()),
    # notes from German, French, Italian and Dutch hospitals: words left untranslated, and the
    # clinical shorthand of those languages, around concepts the screener matches in English
    # -- negation, German
    ("Kein rituximab bisher.", "rituximab", {"negated"}),
    ("Keine Hinweise auf tuberculosis.", "tuberculosis", {"negated"}),
    ("Ohne Hinweis auf lupus nephritis.", "lupus nephritis", {"negated"}),
    ("Rituximab nicht erhalten.", "Rituximab", {"negated"}),
    ("Tuberculosis ausgeschlossen.", "Tuberculosis", {"negated"}),
    ("Nie rituximab erhalten.", "rituximab", {"negated"}),
    ("Rituximab-naiv.", "Rituximab", {"negated"}),
    ("ANA negativ.", "ANA", {"negated"}),
    ("Rituximab 1 g, ANA negativ.", "Rituximab", set()),  # the result of the analyte just before it
    ("QuantiFERON negativ.", "QuantiFERON", set()),  # a lab test keeps its own polarity
    ("Kein Ansprechen auf MMF.", "MMF", set()),  # no response: MMF was given
    ("Keine Remission unter MMF.", "MMF", set()),
    ("Aucune amélioration sous MMF.", "MMF", set()),
    ("Non ha tollerato MMF.", "MMF", set()),  # not tolerated: given
    # -- negation, French
    ("Pas de rituximab.", "rituximab", {"negated"}),
    ("Pas d'antécédent de tuberculosis.", "tuberculosis", {"negated", "historical"}),  # the elision is its own word
    ("Aucun antécédent de cancer.", "cancer", {"negated", "historical"}),
    ("Absence de tuberculosis.", "tuberculosis", {"negated"}),
    ("N'a jamais reçu de rituximab.", "rituximab", {"negated"}),
    ("Ni rituximab ni belimumab.", "belimumab", {"negated"}),
    ("Sans rituximab.", "rituximab", {"negated"}),
    ("Rituximab-naïf.", "Rituximab", {"negated"}),
    ("ANA négatif.", "ANA", {"negated"}),
    ("HIV négatif.", "HIV", set()),
    ("Tuberculosis : non.", "Tuberculosis", {"negated"}),
    # -- negation, Italian
    ("Nessun rituximab.", "rituximab", {"negated"}),
    ("Nega tuberculosis.", "tuberculosis", {"negated"}),
    ("Assenza di tuberculosis.", "tuberculosis", {"negated"}),
    ("Non ha mai ricevuto rituximab.", "rituximab", {"negated"}),
    ("dsDNA negativi.", "dsDNA", {"negated"}),
    # -- negation, Dutch
    ("Geen rituximab.", "rituximab", {"negated"}),
    ("Nooit rituximab gehad.", "rituximab", {"negated"}),
    ("Zonder rituximab.", "rituximab", {"negated"}),
    ("Rituximab niet gegeven.", "Rituximab", {"negated"}),
    ("Rituximab-naief.", "Rituximab", {"negated"}),
    ("ANA negatief.", "ANA", {"negated"}),
    ("QuantiFERON negatief.", "QuantiFERON", set()),
    # -- a clause break ends the negation (aber, mais, ma, maar)
    ("Kein rituximab, aber belimumab seit 2020.", "belimumab", set()),
    ("Pas de rituximab mais belimumab.", "belimumab", set()),
    ("Nessun rituximab ma belimumab.", "belimumab", set()),
    ("Geen rituximab maar belimumab.", "belimumab", set()),
    # -- history
    ("Z.n. tuberculosis 2015.", "tuberculosis", {"historical"}),
    ("Zustand nach melanoma.", "melanoma", {"historical"}),
    ("St.p. kidney transplant.", "kidney transplant", {"historical"}),
    ("Früher rituximab, aktuell MMF.", "rituximab", {"historical"}),
    ("Früher rituximab, aktuell MMF.", "MMF", set()),
    ("Anamnestisch tuberculosis.", "tuberculosis", {"historical"}),
    ("Tuberculosis vor 5 Jahren.", "Tuberculosis", {"historical"}),
    ("Antécédent de tuberculosis.", "tuberculosis", {"historical"}),
    ("ATCD de tuberculosis.", "tuberculosis", {"historical"}),
    ("Tuberculosis dans l'enfance.", "Tuberculosis", {"historical"}),
    ("Ancienne tuberculosis.", "tuberculosis", {"historical"}),
    ("Tuberculosis il y a 10 ans.", "Tuberculosis", {"historical"}),
    ("Pregressa tuberculosis.", "tuberculosis", {"historical"}),
    ("Tuberculosis pregressa.", "Tuberculosis", {"historical"}),
    ("Tuberculosis in anamnesi.", "Tuberculosis", {"historical"}),
    ("Anamnesi di melanoma.", "melanoma", {"historical"}),
    ("Tuberculosis 5 anni fa.", "Tuberculosis", {"historical"}),
    ("In de voorgeschiedenis tuberculosis.", "tuberculosis", {"historical"}),
    ("Tuberculosis in de voorgeschiedenis.", "Tuberculosis", {"historical"}),
    ("Voorheen rituximab.", "rituximab", {"historical"}),
    ("Eerder rituximab gehad.", "rituximab", {"historical"}),
    ("Status na kidney transplant.", "kidney transplant", {"historical"}),
    ("Tuberculosis 5 jaar geleden.", "Tuberculosis", {"historical"}),
    # -- plans, proposals, orders
    ("Renal biopsy geplant.", "Renal biopsy", {"hypothetical"}),
    ("Renal biopsy ist geplant.", "Renal biopsy", {"hypothetical"}),
    ("Rituximab vorgesehen.", "Rituximab", {"hypothetical"}),
    ("Belimumab empfohlen.", "Belimumab", {"hypothetical"}),
    ("Renal biopsy angemeldet.", "Renal biopsy", {"hypothetical"}),
    ("Ggf. rituximab.", "rituximab", {"hypothetical"}),
    ("Renal biopsy prévue.", "Renal biopsy", {"hypothetical"}),
    ("Rituximab envisagé.", "Rituximab", {"hypothetical"}),
    ("Rituximab proposé.", "Rituximab", {"hypothetical"}),
    ("Rituximab à discuter.", "Rituximab", {"hypothetical"}),
    ("Rituximab sera débuté.", "Rituximab", {"hypothetical"}),
    ("Renal biopsy programmée.", "Renal biopsy", {"hypothetical"}),
    ("Renal biopsy programmata.", "Renal biopsy", {"hypothetical"}),
    ("Rituximab previsto.", "Rituximab", {"hypothetical"}),
    ("Rituximab proposto.", "Rituximab", {"hypothetical"}),
    ("Rituximab da valutare.", "Rituximab", {"hypothetical"}),
    ("Renal biopsy in programma.", "Renal biopsy", {"hypothetical"}),
    ("Renal biopsy gepland.", "Renal biopsy", {"hypothetical"}),
    ("Rituximab wordt gestart.", "Rituximab", {"hypothetical"}),
    ("Rituximab voorgesteld.", "Rituximab", {"hypothetical"}),
    ("Rituximab overwogen.", "Rituximab", {"hypothetical"}),
    # -- uncertainty
    ("V.a. lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Verdacht auf tuberculosis.", "tuberculosis", {"uncertain"}),
    ("DD: tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Fragliche lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Wahrscheinlich lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Tuberculosis nicht ausgeschlossen.", "Tuberculosis", {"uncertain"}),
    ("Suspicion de tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Évoquant lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Sospetta tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Probabile lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Verdenking op tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Waarschijnlijk lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Mogelijk lupus nephritis.", "lupus nephritis", {"uncertain"}),
    ("Zo snel mogelijk starten met rituximab.", "rituximab", {"hypothetical"}),  # as soon as possible
    # a Dutch dose frequency ("2dd", twice daily) is not a differential diagnosis
    ("MMF 1000 mg 2dd for lupus nephritis.", "lupus nephritis", set()),
    ("MMF 1000 mg 2 DD for lupus nephritis.", "lupus nephritis", set()),
    # -- family
    ("Mutter: melanoma.", "melanoma", {"family"}),
    ("Vater mit melanoma.", "melanoma", {"family"}),
    ("Schwester: lupus nephritis.", "lupus nephritis", {"family"}),
    ("Mère: melanoma.", "melanoma", {"family"}),
    ("Sa mere a eu un melanoma.", "melanoma", {"family"}),
    ("Grand-père: melanoma.", "melanoma", {"family"}),
    ("Sorella con lupus nephritis.", "lupus nephritis", {"family"}),
    ("Nonno: melanoma.", "melanoma", {"family"}),
    ("Moeder: melanoma.", "melanoma", {"family"}),
    ("Zus met lupus nephritis.", "lupus nephritis", {"family"}),
    ("Oma: melanoma.", "melanoma", {"family"}),
    ("Tante: lupus nephritis.", "lupus nephritis", {"family"}),
    ("Patiente, mère de 2 enfants, lupus nephritis depuis 2019.", "lupus nephritis", set()),  # she is the mother
    ("Moeder van 3 kinderen, lupus nephritis.", "lupus nephritis", set()),
    # -- must not fire: English words and abbreviations that look like those triggers
    ("A mere 2 mm melanoma in situ.", "melanoma", set()),
    ("The patient mutters about tuberculosis.", "tuberculosis", set()),
    ("Ampulla of Vater carcinoma.", "carcinoma", set()),
    ("OPA in place, kidney transplant 2015.", "kidney transplant", set()),
    ("Seen at the V.A. clinic for lupus nephritis.", "lupus nephritis", set()),
    ("Admitted on MM/DD/YYYY with lupus nephritis.", "lupus nephritis", set()),
    ("Seen on Month DD, YYYY for lupus nephritis.", "lupus nephritis", set()),
    ("Pregnancy status NA, rituximab given.", "rituximab", set()),
    ("No evidence of Weil's disease or tuberculosis.", "tuberculosis", {"negated"}),
    ("Dr Nie started rituximab.", "rituximab", set()),
    ("Renal biopsy: non-diagnostic.", "Renal biopsy", set()),
    ("HBsAg: non reactive.", "HBsAg", set()),
    # Spanish, as written in Spain and Latin America: negation
    ("Ausencia de tuberculosis activa.", "tuberculosis activa", {"negated"}),
    ("Quantiferon negativo; no presenta tuberculosis.", "tuberculosis", {"negated"}),
    ("No refiere lactancia materna.", "lactancia materna", {"negated"}),
    ("Nunca ha recibido rituximab.", "rituximab", {"negated"}),
    ("No ha recibido belimumab.", "belimumab", {"negated"}),
    ("Niega cáncer.", "cáncer", {"negated"}),
    ("Se descarta tuberculosis.", "tuberculosis", {"negated"}),
    ("Tuberculosis descartada.", "Tuberculosis", {"negated"}),
    ("Rechaza la vacuna antigripal.", "vacuna antigripal", {"negated"}),
    ("Vacuna antigripal: no aceptó.", "Vacuna antigripal", {"negated"}),
    ("No incluida en ningún ensayo clínico.", "ensayo clínico", {"negated"}),
    ("No es candidata a trasplante renal por ahora.", "candidata a trasplante renal", {"negated"}),
    ("Rituximab nunca administrado.", "Rituximab", {"negated"}),
    ("VIH negativo.", "VIH", set()),  # a lab result, not a negation
    ("No se puede descartar tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Rechazo agudo del trasplante renal en 2019.", "trasplante renal", set()),
    # Spanish: history
    ("Antecedente de cáncer de mama.", "cáncer de mama", {"historical"}),
    ("Tuberculosis pulmonar hace 10 años.", "Tuberculosis pulmonar", {"historical"}),
    ("Trasplante renal previo.", "Trasplante renal", {"historical"}),
    ("Tuberculosis tratada en 2010.", "Tuberculosis", {"historical"}),
    ("Linfoma en el pasado, ya resuelto.", "Linfoma", {"historical"}),
    ("Nefritis lúpica desde hace 3 años.", "Nefritis lúpica", set()),  # ongoing, not history
    # Spanish: plans and conditions
    ("Se solicitará Quantiferon.", "Quantiferon", {"hypothetical"}),
    ("Se indica iniciar rituximab.", "rituximab", {"hypothetical"}),
    ("En caso de recaída, belimumab.", "belimumab", {"hypothetical"}),
    ("Si no hay respuesta, rituximab.", "rituximab", {"hypothetical"}),
    ("Rituximab a considerar.", "Rituximab", {"hypothetical"}),
    ("Biopsia renal programada.", "Biopsia renal", {"hypothetical"}),
    ("Pendiente de biopsia renal.", "biopsia renal", {"hypothetical"}),
    ("Se propone ciclofosfamida.", "ciclofosfamida", {"hypothetical"}),
    # Spanish: uncertainty
    ("Sospecha de tuberculosis.", "tuberculosis", {"uncertain"}),
    ("Tuberculosis a descartar.", "Tuberculosis", {"uncertain"}),
    ("Probable linfoma.", "linfoma", {"uncertain"}),
    ("Biopsia renal compatible con nefritis lúpica clase IV.", "nefritis lúpica", set()),
    # Spanish: family
    ("Madre con cáncer de mama.", "cáncer de mama", {"family"}),
    ("Hermana con lupus eritematoso sistémico.", "lupus eritematoso sistémico", {"family"}),
    ("Tía: linfoma.", "linfoma", {"family"}),
    ("Prima con tuberculosis.", "tuberculosis", {"family"}),
    ("Paciente, madre de dos hijos, con nefritis lúpica.", "nefritis lúpica", set()),
    # Spanish: terminators
    ("No rituximab, pero sí belimumab.", "belimumab", set()),
    ("Niega cáncer, aunque tuberculosis en 2010.", "tuberculosis", set()),
    ("Sin rituximab; sin embargo, recibió belimumab.", "belimumab", set()),
    # English sentences the Spanish triggers must leave alone
    ("Her main gripe is the fatigue; lupus nephritis is active.", "lupus nephritis", set()),
    ("The prima facie case: rituximab given in March.", "rituximab", set()),
    ("Dr. Nieto started rituximab.", "rituximab", set()),
    ("Dra. Sobrino: lupus nephritis class IV.", "lupus nephritis", set()),
    ("No rituximab, but belimumab given.", "belimumab", set()),
    ("Placenta previa, cesarean section 2024-03-02.", "cesarean section", set()),
    ("Tuberculosis treated with RIPE, resolved.", "Tuberculosis", {"historical"}),
    ("Rituximab given; pending review is not planned.", "Rituximab", set()),
    # planned and never given; a refusal of a drug, not of a graft
    ("El belimumab no llegó a administrarse.", "belimumab", {"negated"}),
    ("No llegó a recibir rituximab.", "rituximab", {"negated"}),
    ("Recibió rituximab en enero y no llegó a recibir medicación del estudio.", "rituximab", set()),
    ("She rejected the obinutuzumab trial.", "obinutuzumab", {"negated"}),
    # a vaccine not on record, still to check, recommended or still missing: no dose, and no refusal
    ("Hib no consta.", "Hib", {"uncertain"}),
    ("Hib is not on her AIR record; will check with GP.", "Hib", {"uncertain"}),
    ("Hib: no documented dose - the card has not been found.", "Hib", {"uncertain"}),
    ("Revisar vacunación frente a Hib.", "Hib", {"uncertain"}),
    ("No acudió a la cita de enfermería para la vacuna del neumococo.", "neumococo", {"uncertain", "hypothetical"}),  # an appointment missed
    ("Hib (Hiberix): indicada, el mismo día que Prevenar 20.", "Hib", {"hypothetical"}),
    ("Nefro pide VNC20.", "VNC20", {"hypothetical"}),
    ("Hib sigue sin administrarse.", "Hib", {"negated"}),
    ("Hasta ahora usaban solo preservativo.", "preservativo", {"historical"}),
    ("Lactancia materna hasta enero de 2024 (destete completo).", "Lactancia materna", {"historical"}),
    ("Lactancia finalizada en enero de 2024.", "Lactancia", {"historical"}),
    ("Sigue con lactancia materna hasta que el niño cumpla un año.", "lactancia materna", set()),
    ("Non arruolata in studi clinici sperimentali.", "studi clinici sperimentali", {"negated"}),
    ("La paciente rechaza la vacuna de Haemophilus.", "vacuna de Haemophilus", {"negated"}),
    ("Consejería: se explican opciones (implante subdérmico, DIU de cobre, DIU hormonal).", "DIU hormonal", {"hypothetical"}),
    ("Paciente elige implante subdérmico de etonogestrel; se ordena.", "implante subdérmico", {"hypothetical"}),
    ("Tras la información, RECHAZA el implante; prefiere seguir con preservativo.", "preservativo", set()),
    ("Pendiente por autorización: implante subdérmico de etonogestrel 68 mg.", "implante subdérmico", {"hypothetical"}),
    ("Implante subdérmico pendiente de autorización por la EPS.", "Implante subdérmico", {"hypothetical"}),
    ("Se diligencia MIPRES para belimumab 10 mg/kg IV.", "belimumab", {"hypothetical"}),
    ("Respuesta renal parcial: no alcanza respuesta completa a los 6 meses.", "Respuesta renal parcial", set()),
    ("Respuesta renal parcial: no alcanza respuesta completa a los 6 meses.", "respuesta completa", {"negated"}),
    ("Trasplante: no.", "Trasplante", {"negated"}),
    ("Antecedentes oncológicos personales: niega. Madre con cáncer de mama.", "Antecedentes oncológicos", {"negated"}),
    ("Vacunas: influenza (10/2024). Haemophilus influenzae tipo b: nunca aplicada.", "Haemophilus influenzae tipo b", {"negated"}),
    ("Vacunas: influenza (10/2024). Haemophilus influenzae tipo b: nunca aplicada.", "influenza", set()),
    ("Plan: si decide DIU se colocará ese día.", "DIU", {"hypothetical"}),
    ("Si precisara rituximab, se pedirá serología.", "rituximab", {"hypothetical"}),
    # relatives in everyday and community words
    ("Mum had breast cancer 2019 (treated, well).", "cancer", {"family", "historical"}),
    ("Her nana had a kidney transplant in 2010.", "kidney transplant", {"family"}),
    ("Lola had breast cancer, treated in Manila.", "cancer", {"family", "historical"}),
    ("Seen with her mum today. Mum's main worry is the steroids.", "steroids", set()),  # who came along
    # requests, stock-outs and the reason for the next visit
    ("- Vaccines: please give Pneumovax 23 and Hib.", "Hib", {"hypothetical"}),
    ("  - Hib (Act-HIB): not in stock today - ordered, to be given at next visit.", "Act-HIB", {"hypothetical"}),
    ("P: Cont meds. r/v 3-4 weeks for Hib + flu.", "Hib", {"hypothetical"}),
    ("Hib vaccine not stocked in this clinic - will give at next visit.", "Hib vaccine", {"hypothetical"}),
    ("Belimumab may be added if there is no further improvement.", "Belimumab", {"hypothetical"}),
    ("- Haemophilus influenzae b: se ofrece según pauta; el pac. la RECHAZA.", "Haemophilus influenzae b", {"negated"}),
    ("ENFERMERÍA · Preparación para valoración en EC", "EC", {"hypothetical"}),
    ("Linfoadenopatie laterocervicali, da escludere linfoma.", "linfoma", {"uncertain"}),
    ("Se ofrece asesoramiento anticonceptivo; lo pensará (valora DIU).", "DIU", {"hypothetical"}),
    ("Se valora a la paciente con LES en consulta.", "LES", set()),
    ("Se considera NL refractaria a MMF.", "refractaria", set()),
    ("Absence d’antécédent néoplasique.", "antécédent néoplasique", {"negated"}),
    ("Finalizó la lactancia materna en diciembre de 2023.", "lactancia materna", {"historical"}),
    ("Se ofrecen implante de etonogestrel o DIU; prefiere pensarlo.", "DIU", {"hypothetical"}),
    ("Nous n’avons pas retenu de biothérapie : les anti-TNF ne sont pas indiqués dans le lupus.", "anti-TNF", {"negated"}),
    ("Nous n’avons pas retenu de biothérapie.", "biothérapie", {"negated"}),
    ("Recibió la antigripal en octubre; se recomiendan neumococo y Hib.", "Hib", {"hypothetical"}),
    ("Fecha de inclusión en el ensayo clínico: 03/2024.", "ensayo clínico", set()),
    ("Pneumovax 23 0.5 mL IM given today.", "Pneumovax 23", set()),
    ("I have also booked a repeat renal biopsy for November 2023 to reassess activity.", "repeat renal biopsy", {"hypothetical"}),
    ("Anticoncepción: ahora mismo ninguna. Se le explica el MELA.", "Anticoncepción", {"negated"}),
    ("Contraception: at the moment none.", "Contraception", {"negated"}),
    ("Anticoncepción: sigue sin método; se insiste en la necesidad de anticoncepción eficaz.", "Anticoncepción", {"negated"}),
    ("Anticoncepción: DIU desde 2022, sin incidencias.", "DIU", set()),
    ("Currently no method of contraception; we discussed the options.", "method of contraception", {"negated"}),
    ("Paciente sin método anticonceptivo.", "método anticonceptivo", {"negated"}),
    ("We discussed options including increasing mycophenolate, adding belimumab or voclosporin.", "belimumab", {"hypothetical"}),
    ("She continues to decline IUD and implant; will use condoms.", "IUD", {"negated"}),
    ("5. Prior trial participation noted - she is not in any study now.", "trial participation", {"historical"}),
    ("Telitacicept 160 mg sc weekly was recommended as add-on therapy; the patient declined for reasons of cost.", "Telitacicept", {"negated"}),
    ("Se recuerda cita de vacunas (Hib + hepatitis B) el 25/02/2025 en Preventiva.", "Hib", {"hypothetical"}),
    ("- Haemophilus influenzae tipo b (Hiberix): se programa en 4 semanas (25/02/2025).", "Hiberix", {"hypothetical"}),
    ("IgG baja: valorar IgIV si infecciones de repetición.", "IgIV", {"hypothetical"}),
    ("Mum was treated for breast cancer aged 48 and is well.", "cancer", {"family"}),
    (" - Breastfeeding stopped 22.06.2024 because of mycophenolate.", "Breastfeeding", {"historical"}),
    ("Breastfeeding stopped because of MMF.", "Breastfeeding", {"historical"}),
    ("IgG 5.9 g/L (L); IVIG replacement only if recurrent bacterial infections.", "IVIG", {"hypothetical"}),
    ("Plan: motivate to PTC for rituximab.", "rituximab", {"hypothetical"}),
    ("She prefers to try Benlysta first; prior auth submitted today.", "Benlysta", {"hypothetical"}),
    ("Nunca ha recibido fármacos biológicos; el belimumab queda como opción si no mejora.", "belimumab", {"hypothetical"}),
    ("Sigue con preservativo; se insiste en un DIU por el micofenolato.", "DIU", {"hypothetical"}),
    ("La de Haemophilus todavía no se la han puesto.", "Haemophilus", {"negated"}),
    ("FAMILY HISTORY:\nhermana con cáncer de mama. Sin antecedentes oncológicos personales.\n", "antecedentes oncológicos", {"negated"}),
    ("Rhupus quiet since off abatacept, surprisingly.", "abatacept", {"historical"}),
    ("NL clase III (A) + V (biopsia 08/10/2024; adenda de AP que sustituye al informe de clase V pura).", "clase V", {"negated"}),
    ('FE DE ERRATAS: donde dice "Enalapril 20 mg/24 h" debe decir "Enalapril 10 mg/24 h".', "Enalapril", {"negated"}),
    ("Mode: Category 2 emergency LSCS under spinal - indication: superimposed pre-eclampsia vs lupus nephritis flare.",
     "LSCS", set()),  # a differential names its neighbours, not the operation
    ("Acepta la de hepatitis B, pero NO quiere la de Haemophilus; queda registrado el rechazo.", "Haemophilus", {"negated"}),
    ("Anticoncepción: ningún método\nPlan: revisión.", "Anticoncepción", {"negated"}),
])
def test_context_flags(screener, text, target, flags):
    got, _ = flags_of(screener, text, target)
    assert got == flags


@pytest.mark.parametrize("text, target, section, flags", [
    ("FAMILY HISTORY:\nLupus in her aunt.\n", "Lupus", "family_history", {"family"}),
    ("AF: padre trasplantado en 2015; falleció en 2021 por cáncer de colon.\n", "cáncer", "family_history_line", {"family"}),
    # a long field line wraps onto the next
    ("AF: padre con ERC por nefroangiosclerosis, trasplantado renal de donante vivo (su hermano, tío\n"
     "paterno del paciente) en 2015; falleció en 2021 por cáncer de colon. Madre sana.\n", "cáncer", "family_history_line", {"family"}),
    ("ALLERGIES: abatacept (rash)\n", "abatacept", "allergies", set()),
    ("PAST SURGICAL HISTORY:\nCholecystectomy 2019.\n", "Cholecystectomy", "past_surgical_history", set()),
    ("Past h/o:\n- Pulmonary Koch's in 2014\n", "Pulmonary Koch's", "past_medical_history", set()),
    ("PSHx: Lap. tubectomy 2012.\n", "tubectomy", "past_surgical_history", set()),
    ("SUBJECT: study + the Hib shot\nHi Dr M.\n", "Hib", "message_subject", {"hypothetical"}),
    ("Protocol: OBZ-LN-2404 (Phase 3, obinutuzumab vs placebo)\nNOT randomized.\n", "placebo", "message_subject", {"hypothetical"}),
    ("[Copied from previous notes]\nPlan:\nSLEDAI-2K: 12.\n", "SLEDAI-2K", "copied_forward", {"historical"}),
    # headers of notes translated from Spanish
    ("Background\n- HTA from 2021.\n- No history of transplantation.\n", "transplantation", "past_medical_history", {"negated"}),
    ("Current illness\nEdemas and foamy urine; renal biopsy on 20/09/2024.\n", "renal biopsy", "history_of_present_illness", set()),
])
def test_sections_feed_context(screener, text, target, section, flags):
    got, ev = flags_of(screener, text, target)
    assert ev.section in (section, section.rstrip("s"), "allergy")
    assert flags <= got


@pytest.mark.parametrize("text, target, section", [
    # a header that is a list item is that item only: the allergies do not swallow the list
    ("Background:\n- Allergies: NAMC.\n- No history of transplantation.\n", "transplantation", None),
    ("AF: on apixaban. Cancer of the colon 2019.\n", "Cancer", None),  # atrial fibrillation, no family history
    ("Subject: Hib shot\nRituximab given 2023.\n", "Rituximab", None),  # a short subject line ends where it ends
    ("AF: madre con cancer de mama.\nNo antecedentes personales de neoplasia.\n", "antecedentes personales de neoplasia", None),
    ("History\n- Allergies: NKDA\n- s/p kidney transplant 2015\n", "kidney transplant", None),
    ("ALLERGIES: rituximab (rash),\n- belimumab\n", "belimumab", "allergies"),  # a list under a header stays
    # a message's subject line names a topic, and only that line is the subject
    ("SUBJECT: study + the Hib shot\nHi, the pharmacist gave me the Hib vaccine.\n", "Hib", "message_subject"),
    ("RE: rituximab\nRituximab given 03/12/2024.\n", "Rituximab", None),
    # a block copied from earlier notes runs to the end, over the headers it copies
    ("Plan: refer to trial.\n\n[Copied from previous notes]\nMeds: belimumab 200 mg weekly\n\nSLEDAI-2K: 12.\n", "SLEDAI-2K", "copied_forward"),
])
def test_list_item_header_is_one_item(screener, text, target, section):
    _, ev = flags_of(screener, text, target)
    assert ev.section == section


@pytest.mark.parametrize("text, target, flags", [
    # "personal" names the patient (no family flag); "history of" still marks it as history
    ("FHx: sister - thyroid ca at 34. Mother HTN.\nPt has no personal hx of cancer.\n", "cancer", {"negated", "historical"}),
    ("FAMILY HISTORY:\nMother with lupus. Personal history of lupus nephritis since 2019.\n", "lupus nephritis",
     {"historical"}),
    ("FAMILY HISTORY:\nMother with lupus nephritis.\n", "lupus nephritis", {"family"}),
])
def test_patient_named_under_family_history(screener, text, target, flags):
    got, _ = flags_of(screener, text, target)
    assert got == flags


def test_triggers_are_recorded(screener):
    _, ev = flags_of(screener, "Will consider rituximab.", "rituximab")
    assert "hypothetical:" in ev.context_triggers


@pytest.mark.parametrize("text, target, allergy", [
    ("Pt: P216   Wt 80.0 kg   Allergies: Etanercept (hives)", "Etanercept", True),
    ("She is allergic to rituximab; received belimumab 03/2024.", "rituximab", True),
    ("She is allergic to rituximab; received belimumab 03/2024.", "belimumab", False),
    ("Alergias: ninguna conocida. Recibió rituximab en 2024.", "rituximab", False),
])
def test_an_allergy_field_inside_a_line(screener, text, target, allergy):
    _, ev = flags_of(screener, text, target)
    assert bool(ev.details.get("allergy")) is allergy
